package broker

import "errors"

// Sentinel errors. Operations wrap them with context ("publishing to orders: %w");
// callers branch with errors.Is.
var (
	// ErrInvalidConfig reports a Config that fails Validate.
	ErrInvalidConfig = errors.New("invalid broker config")
	// ErrClosed is returned by operations on a closed Publisher or Consumer.
	ErrClosed = errors.New("broker client closed")
	// ErrStaleDelivery is returned when acking or nacking a delivery received on a
	// channel that has since been lost. The broker redelivers such a message
	// (Redelivered=true) on the new channel; the caller must not treat it as acked.
	ErrStaleDelivery = errors.New("delivery belongs to a lost channel")
	// ErrNacked reports that the broker negatively confirmed a message more than
	// Config.PublishRetries times.
	ErrNacked = errors.New("message nacked by broker")
	// ErrPublishFailed reports messages that could not be confirmed within
	// Config.PublishRetries attempts (nacks or lost connections).
	ErrPublishFailed = errors.New("publish failed after retries")
	// ErrUnroutable reports a mandatory message (DeadLetter) that no queue accepted,
	// e.g. because the dead-letter queue is not declared or not bound.
	ErrUnroutable = errors.New("message unroutable")
	// ErrNotConnected is returned when an operation needs a live connection and
	// the client is between reconnect attempts.
	ErrNotConnected = errors.New("not connected to broker")
	// ErrTopologyMismatch reports that an exchange or queue already exists with
	// different arguments (AMQP 406 PRECONDITION_FAILED).
	ErrTopologyMismatch = errors.New("topology mismatch with existing broker entity")
)
