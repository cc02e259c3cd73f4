package dashboards

import "errors"

// ErrInvalid is wrapped by every validation error of a declaration.
var ErrInvalid = errors.New("invalid dashboard declaration")
