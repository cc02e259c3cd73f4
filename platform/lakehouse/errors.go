package lakehouse

import "errors"

// Sentinel errors. They are wrapped with context; branch on them with errors.Is.
var (
	// ErrInvalidConfig reports a Config that fails Validate.
	ErrInvalidConfig = errors.New("lakehouse: invalid config")
	// ErrInvalidIdent reports a table identifier that is not "namespace.name".
	ErrInvalidIdent = errors.New("lakehouse: invalid table identifier")
	// ErrNoSuchTable reports a table that does not exist in the catalog.
	ErrNoSuchTable = errors.New("lakehouse: no such table")
	// ErrCommitConflict reports a commit that still lost the optimistic-concurrency
	// race after Config.CommitRetries retries.
	ErrCommitConflict = errors.New("lakehouse: commit conflict, retries exhausted")
	// ErrNoColumn reports a column name that the table schema does not have.
	ErrNoColumn = errors.New("lakehouse: no such column")
	// ErrIncompleteWrite reports data files holding fewer rows than were given:
	// nothing is committed.
	ErrIncompleteWrite = errors.New("lakehouse: incomplete write")
	// ErrStagingReplaced reports a StageTable whose staging table another
	// writer replaced meanwhile (two builds of one table at once): nothing
	// of it was published.
	ErrStagingReplaced = errors.New("lakehouse: staging table replaced by another writer")
)
