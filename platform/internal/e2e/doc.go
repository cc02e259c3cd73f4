// Package e2e runs every domain of the repository together, as the demo does,
// and checks the questions that span domains (README "Example questions
// across domains") against known answers for a fixed seed and time window.
// It drives the real binaries against the real broker and lakehouse, in a
// private RabbitMQ vhost and data directory.
package e2e
