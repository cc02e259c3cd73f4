// Package config loads the typed runtime configuration shared by every domain
// binary and meshctl.
//
// Values come from, in order of precedence: the process environment, the
// repository's `.env` file (local development defaults only, never real
// credentials), and built-in defaults. Every key is an environment variable
// named by a constant in this package, so a deployment configures the platform
// with environment variables alone.
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
// # Secrets
//
// Config.String and Config.Redacted mask passwords and secret keys so that a
// configuration can be logged or shown in an error without leaking them.
package config
