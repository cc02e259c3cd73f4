// Package domaintest specifies, once, the behaviour every domain binary must
// have, and runs it against the real broker and lakehouse. A domain's test
// calls RunIngestGuarantees with its Domain and the path of its command; the
// tests build that binary and drive it as a separate process, so that a
// kill -9 is a real kill -9.
//
// Each harness gets a private RabbitMQ vhost and a private data directory, so
// it never sees a demo's queues or another test's tables.
package domaintest
