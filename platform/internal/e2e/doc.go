// Package e2e runs every domain of the repository together, as the demo does,
// and checks the questions that span domains (README "Example questions
// across domains") against known answers for a fixed seed and time window.
// It drives the real binaries against the real broker and lakehouse, in a
// private RabbitMQ vhost and data directory.
//
// It also runs the built meshctl and orders binaries with secrets in the
// environment (passwords in MESH_AMQP_URL and MESH_CATALOG_URI,
// MESH_S3_SECRET_ACCESS_KEY), right and wrong, well-formed and malformed, and
// checks that no secret appears in any output: `meshctl config`, debug log
// lines, or the error of a command that fails.
package e2e
