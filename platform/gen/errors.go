package gen

import "errors"

// Sentinel errors, wrapped with %w: branch with errors.Is.
var (
	// ErrUnknownRegion: LookupRegion got a name that is not a region.
	ErrUnknownRegion = errors.New("unknown region")
	// ErrInvalidVocabulary: a vocabulary is empty, has an empty or duplicate
	// value, or a weight that is not a finite number > 0.
	ErrInvalidVocabulary = errors.New("invalid vocabulary")
)
