// Package transform executes a domain's dbt project on DuckDB and materializes
// every model as an Apache Iceberg table in the lakehouse.
//
// Parsing and Jinja compilation are the dbt package's; this package decides
// what each materialization means on Iceberg:
//
//   - table: the model's SELECT replaces the table's rows in one commit
//     (the table is recreated when its columns changed). A fingerprint of
//     the rows (count, order-independent sum of row hashes, column types) is
//     kept in the snapshot summary (mesh.dbt.content): a rebuild that would
//     write the same rows commits nothing, as for seeds whose checksum did
//     not change;
//   - incremental: the first run (or --full-refresh) builds the table; later
//     runs compile the model with is_incremental() true and commit only the
//     rows it returns, merged on unique_key copy-on-write (lakehouse.Upsert:
//     the files holding replaced keys are rewritten), or appended when there is no key. A run that
//     selects no rows commits nothing, so running twice changes nothing;
//   - view: a DuckDB view for the rest of the run, not stored;
//   - ephemeral: inlined as a CTE by the compiler, never executed alone.
//
// Models run in the UTC time zone whatever the machine's (a DuckDB session
// otherwise takes the local one), so a timestamp's date is its UTC date, as
// on dbt-core with a profile setting TimeZone UTC.
//
// Seeds are loaded as Iceberg tables too, with the column types dbt-core
// gives them (column_types as configured, whole numbers INTEGER, see
// seedSQL); an unchanged file with unchanged column_types is not reloaded. Data tests run as SQL returning the
// failing rows; build runs a model's tests right after it and skips the
// models downstream of a failure.
//
// Every snapshot a run commits carries, in its summary, the model
// (mesh.dbt.model), the invocation (mesh.dbt.invocation_id) and the
// materialization, so `meshctl tables` and Iceberg history tell which run
// produced what. After each invocation target/manifest.json,
// target/run_results.json and target/catalog.json are written in dbt's own
// formats (v1.9), for OpenMetadata's dbt ingestion.
//
// # Moving rows between DuckDB and Iceberg
//
// Sources and upstream models are attached to DuckDB by the query engine
// (read_parquet over the planned files when there are no delete files,
// otherwise a scan through iceberg-go). A model's result leaves DuckDB with
// COPY ... TO a Parquet file in a scratch directory, which is read back as
// Arrow and committed with iceberg-go: no Arrow C-interface build tag and no
// DuckDB extension is needed, and the same path works for S3 warehouses.
package transform
