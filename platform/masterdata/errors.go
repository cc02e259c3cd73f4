package masterdata

import "errors"

var (
	// ErrUnknownTable reports a name no owner registered, or an identifier
	// whose owner does not publish that table.
	ErrUnknownTable = errors.New("unknown master-data table")
	// ErrMalformed reports a published table that cannot be read: a bad
	// identifier, a missing column, a value of the wrong type.
	ErrMalformed = errors.New("malformed master data")
)

// EnvWriteSeeds, set to 1 when an owner's tests run, makes its CheckSeeds
// test rewrite the committed seeds from its generator instead of failing on
// a difference: `MESH_MASTERDATA_WRITE=1 go test -run TestPublishedSeeds ./...`
// in the owner's folder.
const EnvWriteSeeds = "MESH_MASTERDATA_WRITE"
