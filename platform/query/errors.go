package query

import "errors"

// Sentinel errors, wrapped with context; branch on them with errors.Is.
var (
	// ErrInvalidConfig reports a Config that fails Validate.
	ErrInvalidConfig = errors.New("query: invalid config")
	// ErrClosed reports use of an Engine after Close.
	ErrClosed = errors.New("query: engine closed")
)
