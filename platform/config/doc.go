// Package config loads the typed runtime configuration shared by every domain
// binary and meshctl.
//
// Values come from, in order of precedence: the process environment, the
// repository's `.env` file (local development defaults only, never real
// credentials), and built-in defaults. Every key is an environment variable
// named by a constant in this package, so a deployment configures the platform
// with environment variables alone.
//
// The repository root (RepoRoot: $MESH_REPO_ROOT, else the nearest directory
// upwards holding go.work) locates `.env`, the default data directory and,
// for package dags and meshctl, the domains' declarations.
//
// # Embedded default
//
// With no configuration at all the platform runs on the embedded default: an
// Iceberg SQL catalog in SQLite and a warehouse directory, both under the data
// directory (`.mesh/` at the repository root, or MESH_DATA_DIR), and the
// RabbitMQ at 127.0.0.1:5672. Setting MESH_CATALOG=postgres with
// MESH_CATALOG_URI, or MESH_WAREHOUSE=s3://bucket/prefix with the MESH_S3_*
// variables, moves the same code to PostgreSQL and S3/MinIO.
//
// # Rules
//
// The rules of the catalog, warehouse and S3 settings (CheckCatalog,
// CheckWarehouse, CheckCommitRetries, CheckAMQPURL) and their defaults
// (DefaultCatalogURI, DefaultWarehouse) live in this package once:
// Config.Validate applies them to the environment, and lakehouse.Config
// applies the same ones to a configuration built in code. Every message names
// the environment variable to fix.
//
// # Secrets
//
// RedactURL is the platform's one redaction rule: it masks the password of a
// URL's userinfo and secret query parameters, and masks text that does not
// parse as a URL (a malformed URL, a key/value DSN) the same way. Every
// message that quotes a configured value goes through it. Config.String and
// Config.Redacted mask passwords and the S3 secret key so that a
// configuration can be logged or shown (meshctl config); Config.Secrets and
// RedactText mask the secret values in text that a library wrote.
package config
