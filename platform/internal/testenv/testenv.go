// Package testenv gives tests the addresses of the real services they talk to:
// RabbitMQ, PostgreSQL and an S3 server (MinIO).
//
// Addresses come from the environment (MESH_TEST_AMQP_URL, MESH_TEST_POSTGRES_DSN,
// MESH_TEST_S3_ENDPOINT and friends) with the local defaults of this project's
// development machines. When a service cannot be reached the test is skipped,
// except under CI=true, where a missing service is a failure: CI must never turn
// green by skipping the tests that matter.
//
// When no S3 endpoint is configured and a `minio` binary is on PATH or in
// GOPATH/bin, S3 starts a private MinIO server for the test package, so a plain
// `go test` exercises the real S3 path too.
package testenv
