// Package produce publishes a domain's events to RabbitMQ: generated bursts of
// history, a live stream, or a replay of a CSV file.
//
// A domain contributes only a Generator, a function that fills in the domain
// fields of one event; this package adds the envelope (event_id, event_ts,
// event_type), validates every event against its contract before publishing,
// injects deliberate errors on request, and publishes through the broker's
// windowed, confirmed publisher.
//
// # Determinism
//
// The random source is seeded from --seed (default: derived from domain and
// event) and --run (default 0), and a burst's time window ends at --until
// (default: the current hour). The same flags therefore give byte-identical
// messages: JSON fields are written in contract order. A second run that
// should not repeat the first one's event_ids passes another --run. Regions
// are produced side by side, so a generator that remembers what it generated
// keeps one state per region (PerRegion).
//
// # Intentional errors
//
// With ErrorRate > 0 a share of messages is corrupted on purpose, in one of
// the kinds listed by InjectedKinds, and marked with the header
// x-mesh-injected so tests and dashboards can count them. Ingesters must send
// each to the dead-letter queue with the reason.
package produce
