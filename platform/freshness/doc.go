// Package freshness tells, for each table with a freshness SLA, how old its
// data is and whether that is a problem: `meshctl freshness` and the
// freshness_<domain> DAGs run it.
//
// # What counts as new data
//
// A table's age is the time since its last snapshot that added data: an
// append or an overwrite whose summary counts added records (added-records,
// or added-data-files for a writer that does not count records). A replace
// snapshot (compaction rewrites the same rows), a delete and an overwrite
// that only deletes do not count, so nightly maintenance never makes a table
// look fresh. Snapshots are followed from the current one through their
// parents; when expiry removed every snapshot back to the last that added
// data, the oldest retained snapshot's time stands in for it (the data is at
// least that old). A dbt table model whose rows did not change commits
// nothing at all, so its age keeps growing, which the next rule explains.
//
// # Unchanged: nothing new upstream
//
// A table made from other tables (the reads of the DAGs that write it, and
// the dbt lineage of its model: refs, sources and seeds, through ephemeral
// models and views) is up to date with them when none of its inputs has
// data newer than its own last data. Then an age beyond the SLA is not the
// table's fault: its status is unchanged (upstream had nothing new since the
// newest data of its inputs), and the check does not fail for it; a stale
// input is reported for itself. Times compare commit times: an input commit
// that landed while the table was being built counts as consumed.
//
// # Statuses
//
//	fresh      its data is not older than the SLA
//	unchanged  older than the SLA, but its inputs have nothing newer
//	STALE      older than the SLA with newer data upstream, or no inputs
//	           known; also a missing table or one without data
package freshness
