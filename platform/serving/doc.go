// Package serving publishes the lakehouse's data products into one DuckDB
// database file, the serving path of BI tools: Superset reads it through
// duckdb-engine, read only, with the same <namespace>.<table> names as
// `meshctl sql`, so a dashboard's dataset SQL runs unchanged on both.
//
// Publish copies every table (by default all but the raw_ landing tables) at
// its current snapshot into a new file next to the target and renames it over
// the target: a reader never sees a half-written database, and one that has
// the old file open keeps reading it until it reconnects (Superset opens a
// connection per query). The file's mesh_serving.published table records, per
// table, the snapshot copied, its commit time and when it was published, which
// Check compares with the lakehouse: the serving copy's freshness.
//
// Publishing named tables refreshes only those, in a copy of the current
// file that keeps every other table and its record (a dropped table's
// blocks are reused, so the file does not grow): the fact and forecast DAGs
// end with such a publish of the table they built. Publishes of one
// file take turns on an operating-system lock (<file>.lock, flock), so
// parallel DAGs never write the temporary file at once nor lose each
// other's tables.
package serving
