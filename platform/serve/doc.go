// Package serve is `meshctl serve`: a read-only web view of the mesh served by
// one binary on localhost, and a SQL endpoint safe to expose on a laptop.
//
// # Pages
//
// The data products (owner, domain, tags, glossary, rows, freshness against
// the SLA), the lineage graph from queues to dashboards (each node links to
// its table), DAG runs and deadline misses (the local runner's history),
// the domains' dashboards drawn from their declarations (package dashboards:
// the same dataset SQL as Superset's), the demand forecasts with their 80%
// and 95% intervals, and a SQL console. The browser code and its two
// libraries (Chart.js, dagre) are embedded (assets/), so the view works
// offline; web/ pins the libraries with package-lock.json and
// `go run mage.go web` rebuilds assets/vendor from the lock and checks it
// against the committed files.
//
// # The SQL endpoint
//
// POST /api/sql with {"sql": "..."} answers {columns, types, rows, elapsed,
// truncated, limit, snapshot} or {"error": "..."} with a 4xx status. Every
// query, the pages' included, runs in a Sandbox:
//
//   - Only one query statement runs: DuckDB's json_serialize_sql, which
//     serializes SELECT statements and nothing else, decides, so writes,
//     ATTACH, COPY, PRAGMA, SET, INSTALL and LOAD are refused before running.
//   - No file or network access: the lakehouse is read into a snapshot first,
//     then the snapshot's DuckDB runs with enable_external_access=false and
//     lock_configuration=true. The query engine exposes local tables as views
//     over read_parquet of their data files, which stop working once file
//     access is off (checked: "file system operations are disabled by
//     configuration"). So a loader engine (with file access, and the PII
//     masks of the caller's role) copies every table into a DuckDB database
//     file, and the serving engine attaches that file READ_ONLY, exposes each
//     table as a view <namespace>.<table>, and is locked after: a database
//     attached before the lock stays readable, and nothing can write to it.
//     The serving engine's own catalog is an empty one, so it never tries to
//     attach (re-read) a lakehouse table after the lock.
//   - A row limit (the query is wrapped in LIMIT n+1, so DuckDB stops early
//     and a cut result is told from an exact fit) and a timeout that
//     interrupts DuckDB through the query's context.
//
// The snapshot is reloaded when a table has a new commit (checked every
// Config.Refresh); queries in flight finish on the snapshot they started on.
package serve
