package catalog

import "errors"

// ErrInvalid is wrapped by every error about a declaration: an unknown
// glossary term, PII or access level, a malformed metadata file.
var ErrInvalid = errors.New("invalid catalog declaration")

// ErrNotFound is wrapped when a table or entity asked for does not exist.
var ErrNotFound = errors.New("not in the catalog")
