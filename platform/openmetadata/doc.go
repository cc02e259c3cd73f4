// Package openmetadata registers the mesh in OpenMetadata: it turns the
// catalog model (package catalog) into the REST request bodies of the pinned
// release (Version), validates each against that release's JSON Schemas
// (embedded under schema/), writes them as reviewable files (Export) and
// sends them to a server (Push).
//
// # What is sent
//
// Services (the lakehouse as a CustomDatabase service with one schema per
// domain, RabbitMQ as a CustomMessaging service with a topic per exchange,
// queue, dead-letter exchange and DLQ carrying the event contract as its
// schema, Airflow with a pipeline per DAG and its tasks, the serving DuckDB
// file that meshctl publish writes as a second CustomDatabase service with a
// copy of each served table, Superset with the domains' dashboards, their
// charts and their datasets as SupersetDataModel data models, as
// OpenMetadata's own Superset connector registers them); per mesh domain its
// team, domain and data product;
// every table and column with description, type, owner, domain, data
// product, tags and glossary terms; the glossary and its terms with related
// terms; the access-level and mesh classifications (PII tags are
// OpenMetadata's built-in PII and PersonalData ones); a policy and role per
// governance role (a domain's team edits its domain's assets; roles are
// denied sample data and profiles of columns they may not read); and every
// lineage edge, topic -> raw -> stg -> fact -> forecast -> serving copy ->
// data model -> dashboard, with column lineage where dbt gives it (and
// column for column into a serving copy) and the pipeline that makes the
// edge. A chart is part of its dashboard (the dashboard's charts), not a
// lineage node, as the Superset connector has it.
//
// # Idempotency and references
//
// Every entity goes through its PUT create-or-update endpoint, so a second
// push of the same catalog changes nothing. Bodies refer to other entities
// of the push by name where the API takes names (domains, data products,
// services, glossary, tags) and, where it takes ids (owners, a team's
// roles, lineage ends and pipelines), by a placeholder id derived from the
// entity's type and name (PlaceholderID). An export therefore is the same
// on every run; Push replaces each placeholder by the id the server gave
// the entity.
//
// # Testing without a server
//
// An OpenMetadata server cannot run on our machines. Package omtest is a
// test server that validates each request against the schemas, stores
// entities by fullyQualifiedName, answers as OpenMetadata does (201 or 200,
// X-OpenMetadata-Change, versions bumped only on change, 404 for an unknown
// reference) and injects 429, 5xx and 401 answers.
package openmetadata
