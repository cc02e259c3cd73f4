// Package query runs SQL over the lakehouse with an embedded DuckDB. Iceberg
// tables are addressed as <namespace>.<table> (orders.raw_orders): before each
// query the engine attaches the tables that the SQL text mentions, at their
// current snapshot, as a DuckDB schema per namespace.
//
// # How a table is exposed
//
// A table of a local warehouse whose planned scan has no delete files
// (no DeleteFiles, EqualityDeleteFiles or DeletionVectorFiles in any task)
// becomes a VIEW over read_parquet([planned data files]): DuckDB reads the
// Parquet files itself, with its own projection and filter pushdown, in
// milliseconds. Iceberg data files hold every column including the partition
// source (event_date), so the view passes hive_partitioning=false to keep
// DuckDB from adding a second column parsed from event_date=... directories,
// and selects the current schema's columns by name (union_by_name).
//
// read_parquet knows nothing of Iceberg delete files: after an Upsert it
// would count replaced rows twice. Tables whose scan has delete files, empty
// tables, and every table of an S3 warehouse (DuckDB's httpfs extension is
// not built in and cannot be downloaded offline) are read through
// iceberg-go's Scan().ToArrowRecords, which applies deletes, spooled to a
// temporary Parquet file under Config.TempDir and loaded with CREATE TABLE AS
// SELECT * FROM read_parquet(spool). The spool file is removed at once.
//
// # Masks
//
// Config.Masks names columns to hide (meshctl sql fills it from the catalog:
// the PII columns the caller's role may not see). They are hidden where the
// table is attached: the view or the copy selects MaskedText for a string
// column (NULL where the value is NULL: whether a value exists is not
// hidden) and a NULL of the column's type for any other, under the column's
// own name. So every query sees only the mask, whatever it does with the
// column: an alias, an expression (upper(c) || '!' reads "****!"), an
// aggregate, a filter on the hidden value (which matches nothing), a join.
// Masks govern the tables this engine attaches; they do not stop a caller
// who reads the warehouse's Parquet files directly (read_parquet on a path),
// which needs access to the files themselves.
//
// # Why no Arrow build tag
//
// Feeding the Arrow stream to DuckDB directly needs the duckdb_arrow build tag
// (Arrow.RegisterView) and dodging two traps: a RegisterView view ignores
// DuckDB's projection and filter pushdown (duckdb/duckdb-go#24: wrong
// columns, dropped WHERE clauses, crashes on strings) so it must be copied
// into a table first, and array.ReaderFromIter crashes when DuckDB calls it
// from a cgo thread. Measured on 2 cores with 200k rows and 5 files
// (BenchmarkAttach, BenchmarkAttachArrow): read_parquet view 25-30 ms; Parquet
// spool 165-215 ms; Arrow RegisterView + CREATE TABLE 140-185 ms. The spool
// costs about 20% more and needs neither the tag nor the workarounds, so this
// package builds without build tags. (bench_arrow_test.go only builds with
// -tags duckdb_arrow.)
//
// Attached tables are ordinary tables and views of the engine's private
// in-memory database (not TEMP tables: those would be visible on one
// connection of database/sql's pool only). A table is re-attached when its
// metadata location changed since it was attached, so every Query sees the
// current snapshot; unchanged tables are reused.
//
// # Values as DuckDB prints them
//
// Query returns the driver's Go values, for programs. QueryText returns what
// people read: each value as DuckDB's own CLI prints it, a Value holding
// DuckDB's text and JSON form. A single query statement (SELECT, WITH,
// VALUES, FROM, SHOW, DESCRIBE, SUMMARIZE) runs inside a wrapper that has
// DuckDB do the conversion, so every type prints exactly as DuckDB prints it:
//
//	SELECT CAST(c1 AS VARCHAR), CAST(c2 AS VARCHAR), CAST(to_json(c2) AS VARCHAR)
//	FROM (<statement>) AS q(c1, c2)
//
// with the column names and types from DESCRIBE (the wrapper would rename
// duplicates) and to_json only for nested columns. A projection over a
// subquery keeps its ORDER BY. Whether the text is one query statement
// DuckDB says itself (json_serialize_sql), so that several statements, which
// could have side effects, never run twice. Other statements (PIVOT,
// EXPLAIN, PRAGMA, several statements) run as they are and their Go values
// are converted with DuckDB's rules (format.go, tested against DuckDB's own
// conversion for every type the driver reads). When the wrapped query fails,
// the statement runs again as it is, so that errors point into the user's
// text.
//
// The JSON form of a Value:
//   - integers, HUGEINT, BIGNUM, DECIMAL, FLOAT, DOUBLE: a JSON number with
//     DuckDB's digits (DECIMAL keeps its scale, 1.50; a 128-bit integer is
//     written in full, beyond what a float64 reader keeps); NaN and the
//     infinities, which JSON lacks, are the strings "nan", "inf" and "-inf",
//     also inside nested values;
//   - BOOLEAN: true or false;
//   - LIST, ARRAY, STRUCT, MAP, UNION, JSON, VARIANT and types DESCRIBE does
//     not name: DuckDB's to_json (a map's keys become strings, a union
//     {"member": value});
//   - everything else (VARCHAR, UUID, dates, times, timestamps, INTERVAL,
//     BLOB, BIT, ENUM, GEOMETRY): the JSON string of DuckDB's text.
//
// TIMESTAMP WITH TIME ZONE prints in DuckDB's TimeZone setting, the
// machine's time zone unless set, as the CLI does.
package query
