package config

import "errors"

// ErrInvalid is wrapped by every validation error; the message names the
// environment variable to fix.
var ErrInvalid = errors.New("invalid configuration")
