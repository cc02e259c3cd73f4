package openmetadata

import "errors"

// Sentinel errors; every error of the package wraps one of them.
var (
	// ErrInvalidBody: a request body does not validate against the pinned
	// release's JSON Schema.
	ErrInvalidBody = errors.New("invalid OpenMetadata request body")
	// ErrUnauthorized: the server answered 401 (missing or bad token).
	ErrUnauthorized = errors.New("OpenMetadata refused the token (401)")
	// ErrForbidden: the server answered 403 (the token's bot or user lacks a
	// permission).
	ErrForbidden = errors.New("OpenMetadata denied the operation (403)")
	// ErrNotFound: the server answered 404 (an endpoint or a referenced
	// entity does not exist).
	ErrNotFound = errors.New("OpenMetadata found no such entity or endpoint (404)")
	// ErrRejected: the server answered another 4xx (it names the field).
	ErrRejected = errors.New("OpenMetadata rejected the request")
	// ErrUnavailable: 429 or 5xx after every retry, or no connection.
	ErrUnavailable = errors.New("OpenMetadata unavailable")
	// ErrConfig: a bad Push configuration (URL, token).
	ErrConfig = errors.New("invalid OpenMetadata push configuration")
)
