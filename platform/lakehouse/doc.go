// Package lakehouse is the mesh's access to its Apache Iceberg tables: it opens
// an iceberg-go SQL catalog (SQLite or PostgreSQL) over a warehouse (a local
// directory or an S3 bucket), creates namespaces and tables, and commits
// appends, partition overwrites and upserts that are safe under concurrent
// writers.
//
// # Catalog and warehouse
//
// The catalog is iceberg-go's SQL catalog, whose tables (iceberg_tables,
// iceberg_namespace_properties) follow the Java JDBC catalog layout, so
// Spark, Trino or PyIceberg can share a PostgreSQL catalog with the mesh.
// The SQLite catalog is a file (default .mesh/catalog.db) opened with WAL, a
// 30 s busy timeout and BEGIN IMMEDIATE transactions so that several processes
// can commit through it. For an s3:// warehouse Open creates the bucket when
// it is missing (minio-go) and passes s3.endpoint/s3.region/credentials to
// iceberg-go's S3 file IO (registered by a blank import); path-style access
// is automatic when an endpoint is set. S3Config.Region is required
// (MESH_S3_REGION): iceberg-go fails with "A region must be set" otherwise.
//
// # Tables
//
// EnsureTable creates Iceberg format v2 tables, partitioned by
// identity(event_date) when the schema has an event_date column, so scans
// that filter on event_date plan only the matching partitions' files. It is
// idempotent and tolerates concurrent creators: whoever loses the insert
// race loads the winner's table.
//
// StageTable creates a table that must be visible complete or not at all (a
// transformation's model): it is created and filled under a staging name
// (StagingIdent, which Tables does not list) and renamed into place in the
// catalog once its data is committed. It is created at the location a table
// of the final name gets, and the SQL catalog renames by updating the name of
// its row, so the table keeps that location and its snapshots. A
// staging table left by a killed writer is dropped by the next StageTable of
// the same table (or DropStaging).
//
// # Commits and conflicts
//
// iceberg-go's SQL catalog commits by compare-and-swap: the UPDATE of
// iceberg_tables carries "WHERE metadata_location = <the location the
// writer started from>", and zero updated rows becomes table.ErrCommitFailed.
// Before the swap it also checks the transaction's requirements (the main
// branch must still point at the writer's base snapshot) against freshly
// loaded metadata, which fails with an unwrapped "requirement failed: ..."
// error. Either way nothing was committed. iceberg-go retries only when the
// table property commit.retry.num-retries is set (default 0), so every write
// runs in Lakehouse.Commit instead: on either conflict (IsConflict, the one
// conflict test of the mesh) it reloads the table, rebuilds the commit on the
// new current snapshot and tries again after a jittered exponential backoff
// (10 ms doubling to 1 s, each wait drawn from [d/2, d]), at most
// Config.CommitRetries times (default 20), then gives up with
// ErrCommitConflict. Append, Overwrite, Upsert and AddFiles use it, and so do
// package maintenance's commits; callers that retry failed writes themselves
// (the ingester) must not retry conflicts again. Append writes its Parquet data files once and only
// re-commits the same files; Overwrite and Upsert redo their work on the
// new state because what they delete depends on it. Because the swap happens
// in the catalog database, this protects writers in different processes and
// on different machines alike; the tests run 2 goroutines and 2 OS processes
// appending 20 times each.
//
// # Upserts
//
// Upsert is copy-on-write, so every Iceberg reader sees the merged rows
// without applying delete files (PyIceberg cannot apply equality deletes,
// DuckDB's read_parquet applies none). It first looks up which incoming keys
// already exist (a scan pruned by the key column). None: the new rows are
// appended. Some: one overwrite snapshot rewrites the data files holding
// those keys without them, in any partition (so a key whose event_date
// changes is still replaced), and adds the new rows. The cost grows with the
// size of the files holding replaced keys, not with the table.
//
// # Lookups
//
// ExistingValues tells which of a set of values (event ids) a string column
// already holds, with one scan filtered on column IN values and, optionally,
// on a pruning filter such as the events' event_date partitions: the
// ingester's check of redelivered events it does not remember.
//
// # Statistics
//
// Tables lists every table with its current snapshot's summary. Rows is the
// summary's total-records, i.e. rows in live data files before delete files
// are applied (our writers write none; other engines may); count through a
// scan or package query for exact figures.
package lakehouse
