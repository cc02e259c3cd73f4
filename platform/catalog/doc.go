// Package catalog builds one catalog model of the mesh (domains, tables and
// their columns, RabbitMQ topics, pipelines, lineage, a business glossary
// and the governance of personal data) from what the domains already
// declare, plus the live lakehouse when one is given. Nothing is kept by
// hand: a new domain folder appears in the catalog with no code.
//
// # Sources
//
//	domains/*/domain.yaml      domains, owners, tables, layers, freshness
//	domains/*/contracts/       raw table columns, topic schemas, x-pii
//	domains/*/dbt/             models, seeds, sources: descriptions, types,
//	                           tests, tags, meta (pii, access, glossary),
//	                           lineage from ref/source, column lineage
//	domains/*/dags/            pipelines, schedules, SLAs, reads and writes
//	package broker             exchange, queue and DLQ names per event x region
//	metadata/glossary.yaml     the business terms
//	metadata/governance.yaml   PII levels, access levels, roles
//	domains/*/dashboards/      Superset dashboards: datasets (SQL over
//	                           data products), charts (package dashboards)
//	metadata/consumers.yaml    optional: other dashboards and readers
//	the lakehouse (optional)   columns and types, partitioning, snapshots,
//	                           rows, last commit, freshness against the SLA
//
// # Lineage
//
// Edges run from the exchange of each event to its ingest queues (binding),
// from a queue to its DLQ (dead-lettering) and to the raw table (the ingest
// DAG), along dbt's refs, sources and seeds (the DAG that builds the model),
// from the reads to the writes of DAG steps that are not dbt (the forecasts),
// from tables that a producer's events[].upstream query reads to the
// domain's exchange, and from tables to declared consumers. Consumption runs
// through the serving database (the DuckDB file `meshctl publish` writes,
// which Superset reads): each data product, and each table a dashboard
// reads, has a serving copy (edge table -> serving, carrying the DAG task
// that publishes it, column for column); a dashboard's datasets read serving
// tables (with column lineage where the dataset's SQL simply selects a
// column, which also carries its PII level), its charts draw datasets, and
// the dashboard shows its charts. Column lineage
// is given where the compiled SQL says it simply: a column of the outermost
// SELECT that is a plain column reference, possibly qualified, cast or
// aliased, of an upstream table that has that column.
//
// # Governance
//
// A column's PII level comes from the dbt meta pii or the contract's x-pii,
// its access level from meta access or its PII level. A role sees the
// columns of the access levels it reads; the others are masked by the query
// engine (package query, Config.Masks) for `meshctl sql`. A domain's team is
// a role that edits the domain's assets. An unknown glossary term, PII
// level or access level is an error naming the file and the field.
package catalog
