// Package ingest moves one event queue into one raw Iceberg table.
//
// An Ingester consumes `ingest_<event>_<region>`, validates every body against
// the event's contract, accumulates valid events into a batch and commits the
// batch to the raw table as one Iceberg snapshot. Deliveries are acknowledged
// only after the commit succeeded (ack multiple up to the batch's last
// delivery), so a crash at any point leaves unacknowledged messages in the
// queue, to be redelivered.
//
// A valid event delivered for the first time goes into the batch's Arrow
// columns as it arrives, so that no decoded event, body or headers stay in
// memory until the commit (the garbage collector's work grows with what
// stays); its ingested_at is the time of the commit all the same. While one
// batch is committed the next one is decoded.
//
// # Failed commits
//
// A commit that lost the race against another writer is retried by the
// lakehouse itself (lakehouse.Lakehouse.Commit, up to MESH_COMMIT_RETRIES
// times). The ingester retries only what is not a conflict
// (lakehouse.IsConflict): a transient failure of the catalog database or the
// object store, such as a restart. It tries again with a growing pause (200 ms
// more each time, at most 2 s) for Config.CommitRetryFor (`--commit-retry-for`,
// default 30 s), then returns the error, acknowledging nothing.
//
// # Exactly once in the table
//
// Redelivery is what keeps nothing lost; deduplication is what keeps nothing
// doubled. The ingester drops an event whose event_id it already committed:
//
//   - a bounded in-memory set remembers the event_ids of its recent commits
//     (Config.DedupeWindow), which catches redeliveries after a lost ack or a
//     broker restart, and publisher retries that duplicated a message;
//   - a message marked Redelivered=true that is not in that set (the ingester
//     itself restarted, e.g. after kill -9 between commit and ack) is checked
//     against the table: one scan with `event_id IN (...)` pruned to the
//     event_date partitions of those events. Redeliveries are rare, so the
//     check is cheap; first deliveries are never checked against the table.
//
// A redelivered message that was never committed is simply ingested.
// Deliveries from a channel that died (Generation changed) are dropped from
// the batch before commit: the broker redelivers them on the new channel.
//
// # Bad input
//
// A body that is too large, not UTF-8, not JSON, of another event type, or
// violates the contract is published to the queue's dead-letter queue with
// the reason in the x-mesh-error header (and its kind in x-mesh-error-kind),
// confirmed, then acknowledged. The ingester keeps running.
//
// # Stopping
//
// With UntilIdle the ingester exits once no message arrived for IdleTimeout
// and the queue is empty. Otherwise it runs until its context ends (SIGTERM):
// it commits the batch in hand, acknowledges it and returns nil.
package ingest
