package maintenance

import "errors"

// ErrInvalidConfig is wrapped by configuration errors; the message names the
// field, what it accepts and the value given.
var ErrInvalidConfig = errors.New("maintenance: invalid config")
