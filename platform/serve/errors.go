package serve

import "errors"

// Sentinel errors, wrapped with context; branch on them with errors.Is.
var (
	// ErrInvalidConfig reports a Config that fails Validate.
	ErrInvalidConfig = errors.New("serve: invalid config")
	// ErrRefused reports SQL the endpoint does not run: anything but one
	// read-only query, or an empty or oversized text.
	ErrRefused = errors.New("refused")
	// ErrTimeout reports a query interrupted at its time limit.
	ErrTimeout = errors.New("timed out")
	// ErrNotReady reports a query before the first snapshot was loaded.
	ErrNotReady = errors.New("the lakehouse snapshot is still loading")
)
