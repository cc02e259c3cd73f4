package openmetadata

// The one OpenMetadata release the project targets: the compose metadata
// profile runs ServerImage, the interop check validates bodies with the
// pydantic models of IngestionPackage, and the vendored JSON Schemas under
// schema/ are this release's. It is 1.13, not 2.0: 2.0's JSON Schemas are
// published neither on Maven Central (openmetadata-spec stops at 1.4.0) nor
// in a snapshot we can pin, while 1.13's are (schema/README.md).
const (
	// Version is the server release.
	Version = "1.13.6"
	// ServerImage is the server's container image.
	ServerImage = "docker.getcollate.io/openmetadata/server:" + Version
	// IngestionImage runs ingestion workflows (the bootstrap service).
	IngestionImage = "docker.getcollate.io/openmetadata/ingestion:" + Version
	// IngestionPackage is the Python ingestion package of the same release
	// (PyPI versions add a fourth, Python-only, number).
	IngestionPackage = "openmetadata-ingestion==1.13.6.3"
	// APIPrefix is the root of the REST API under the server URL.
	APIPrefix = "/api/v1"
)
