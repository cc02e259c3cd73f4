package contract

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them (with
// %w), so callers branch with errors.Is; the message carries the details.
var (
	// ErrInvalidContract: a contract file is not a valid contract (bad JSON,
	// bad JSON Schema, or a construct the platform does not support).
	ErrInvalidContract = errors.New("invalid contract")
	// ErrNoContracts: LoadDir found no *.vN.json file.
	ErrNoContracts = errors.New("no contracts found")
	// ErrIncompatible: a new contract version is not backward compatible with
	// the previous one (see CheckCompatible).
	ErrIncompatible = errors.New("incompatible contract version")

	// ErrTooLarge: a message body is larger than the contract's MaxBodyBytes.
	ErrTooLarge = errors.New("message body too large")
	// ErrInvalidUTF8: a message body is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("message body is not valid UTF-8")
	// ErrMalformed: a message body is not a single JSON object.
	ErrMalformed = errors.New("malformed JSON message")
	// ErrUnknownEventType: the body's event_type is missing, not a string, or
	// not the event type of the contract (or of any contract of a Registry).
	ErrUnknownEventType = errors.New("unknown event type")
	// ErrContractViolation: the body does not satisfy the contract's schema.
	// The error is a *ViolationError listing every failing field.
	ErrContractViolation = errors.New("contract violation")
)
