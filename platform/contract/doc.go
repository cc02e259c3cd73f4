// Package contract loads data contracts, validates events against them and
// derives from them the Iceberg and Arrow schemas of the raw tables, so that
// the schema of an event is written exactly once: in its contract.
//
// # Contracts
//
// A contract is a JSON Schema (draft 2020-12) file in a domain, named
// <event>.v<N>.json, e.g. domains/orders/contracts/orders.v1.json. It
// describes one event type as a flat object:
//
//   - "x-mesh": {"domain": "orders", "event": "orders", "version": 1} names the
//     domain, the event type and the version; event and version must agree with
//     the file name;
//   - "type": "object" and "additionalProperties": false;
//   - the envelope, required in every contract: event_id (string, format uuid),
//     event_ts (string, format date-time, RFC 3339, UTC by convention) and
//     event_type ("const": the event name);
//   - domain properties of scalar type only: "string" (optionally with format
//     "uuid", "date-time" or "date"), "integer", "number" or "boolean", with
//     the validation keywords enum, const, minimum, maximum, exclusiveMinimum,
//     exclusiveMaximum, multipleOf, pattern, minLength and maxLength;
//   - annotations: "description" (which becomes the column doc), title,
//     examples, deprecated, $comment, and "x-pii": true or "sensitive"
//     (OpenMetadata PII.Sensitive), "personal" (PersonalData.Personal), false.
//
// Any other keyword, nested object, array or union type is rejected when the
// contract is loaded, with the file name and the JSON pointer of the offending
// keyword in the error: a typo such as "maxLenght" must not silently disable a
// rule. Property names are lower snake case, so that they are plain
// identifiers in Iceberg, DuckDB and dbt; event_date and ingested_at are
// reserved for the derived columns.
//
// # Validation
//
// Contract.Decode and Registry.Decode check a message body in this order: size
// (ErrTooLarge, before any parsing; Contract.MaxBodyBytes, 1 MiB by default),
// UTF-8 (ErrInvalidUTF8), a single JSON object (ErrMalformed), event_type
// (ErrUnknownEventType), then the schema (ErrContractViolation, as a
// *ViolationError listing each failing field with its JSON pointer). Formats
// are assertions, not annotations: a bad uuid, date-time or date is a
// violation.
//
// The validator of record is github.com/santhosh-tekuri/jsonschema/v6. Because
// contracts are flat, a fast path (a small parser for flat objects and a
// re-check of the allowed keywords, reading the compiled schema) accepts the
// common valid body without running the general validator; whenever it is not
// certain, the full validator decides. A randomized test checks that the fast
// path never accepts what the full validator rejects.
//
// Decoded events are maps with normalized values: string for string, uuid and
// date fields (dates stay "YYYY-MM-DD"), time.Time in UTC for date-time
// fields, int64 for integers, float64 for numbers, bool for booleans.
//
// # Versioning
//
// The version is the N of the file name and of "x-mesh". A new version must be
// backward compatible with the previous one: it may add optional properties
// after the existing ones and add values to an enum; every other validation
// keyword, type and required-ness of an existing property stays as it was
// (descriptions and x-pii may change).
// CheckCompatible enforces this, LoadDir applies it to every pair of
// consecutive versions and returns the highest version of each event, and a
// Registry dispatches by event_type to that version, which accepts every body
// the older versions accepted.
//
// # Schema mapping
//
// The Iceberg schema of the raw table is the contract's fields in order
// (envelope first), with field IDs 1..n, followed by two derived columns:
// event_date (date, required, ID n+1: the UTC date of event_ts, the partition
// column) and ingested_at (timestamptz, optional, ID n+2). event_id is the
// identifier field. Types map as:
//
//	string, uuid  -> string
//	date-time     -> timestamptz (microseconds)
//	date          -> date
//	integer       -> long
//	number        -> double
//	boolean       -> boolean
//
// A property in "required" is a required column; its description is the
// column doc. The Arrow schema is derived from the Iceberg schema by
// iceberg-go's table.SchemaToArrowSchema (PARQUET:field_id metadata,
// timestamp[us, tz=UTC], nullable = optional), and BatchBuilder builds record
// batches of exactly that schema for table.Append.
//
// Because new fields are appended after the previous version's fields, a new
// version keeps the IDs of the old fields, but the IDs of event_date and
// ingested_at shift by the number of added fields. A table created from an
// older version and evolved by name therefore has other IDs for those columns
// than the new contract's IcebergSchema: a writer appending to an evolved table
// must take field IDs from the table's schema (or drop the PARQUET:field_id
// metadata and let iceberg-go map columns by name).
package contract
