// Package dbt parses and compiles dbt projects in Go, and writes dbt's own
// artifacts (manifest.json, run_results.json, catalog.json) for them.
//
// A domain binary runs its transformations without Python, yet every
// domain's transformations are kept as a real dbt project that dbt-core >= 1.8
// with dbt-duckdb also runs unchanged ('go run mage.go interop:dbt' runs them
// on dbt-core and compares the rows and manifests with ours). This package reads such a project, renders
// its Jinja with gonja (github.com/nikolalohinski/gonja/v2, a Go port of
// Jinja2) and hands DuckDB SQL to the executor in platform/transform, which
// materializes the results into Iceberg. The artifacts it writes let
// OpenMetadata's dbt ingestion document the tables and their lineage.
//
// # What is supported
//
// Load reads dbt_project.yml (name, version, profile, model/macro/seed paths,
// vars, models: and seeds: configs per folder with or without the + prefix;
// strings containing Jinja are rendered, so env_var() works there),
// packages.yml (local packages, resolved through LoadOptions.Packages because
// an embedded file system cannot reach ../), models/**.sql, property files
// (models/**.yml and seeds/**.yml: models, sources and seeds with
// descriptions, columns with data_type, meta and tags, config:, and the four
// built-in generic tests unique, not_null, accepted_values and relationships
// under tests: or data_tests:, with severity and where), macros/**.sql and
// seeds/**.csv (rows parsed, column_types from the seed config).
//
// In templates: ref (one or two arguments) and source, this (with .schema,
// .identifier, .database), config(...) with config.get and config.require,
// is_incremental(), var(name, default), env_var(name, default), target.*
// (name, schema, type "duckdb", database, threads, profile_name), model.*,
// execute, project_name, return() in macros, log, print,
// exceptions.raise_compiler_error and exceptions.warn, tojson, fromjson,
// local_md5, set, and everything gonja implements of Jinja (if, for, set,
// macro, do, filters, tests). {% call %} blocks work as in Jinja2 with any
// macro, a project's or a package's, including a parameter list that
// caller() fills: {% call(col) utils.each(cols) %}sum({{ col }}){% endcall %}
// (gonja's own call block reaches only macros of the same file and takes no
// parameters, so this package replaces it).
//
// Configuration is merged like dbt: dbt_project.yml (package level, then each
// folder down to the model name), then the property file's config:, then
// config() in the SQL, which wins; tags accumulate and meta merges. The
// default materialization is view; materialized must be table, view,
// incremental or ephemeral. A model with enabled: false is dropped.
//
// # Macro namespaces
//
// Macros resolve as in dbt-core (core/dbt/context/macros.py, MacroNamespace
// and MacroNamespaceBuilder). A model of package P sees by name P's own
// macros first, then the root project's, then dbt's built-in ones (here the
// Go functions above; dbt.<macro> is not supported); every package's macros,
// the root project's and P's included, are reachable as <package>.<macro>.
// So a root-project model calls its project's macros by name and a package's
// only qualified, as mesh_core.cents(...), and a root-project macro of the
// same name as a package's wins for the root project's models. A macro does
// not run in the namespace of its own package but in that of the model being
// rendered (dbt renders it with the model's context), so a package macro
// must call its siblings qualified too, or it works for the package's own
// models and fails for the root project's. Load checks this statically,
// following the calls of every model through the macros they reach in all
// branches, and fails with the file and line of the call, e.g.
// "models/orders.sql:4: macro cents is defined in package mesh_core: call it
// as mesh_core.cents". A macro defined in a model's own file is not
// callable, as in dbt-core (whose parser renames it dbt_macro__<name>).
// generate_schema_name is never called: the executor uses a model's schema
// config as the schema, which is what mesh_core's generate_schema_name does;
// dbt-core applies a package's generate_schema_name only to the package's
// own models, and uses for the root project's models the root project's (or
// dbt's default, "<target schema>_<schema>"), so a root project that wants
// mesh_core's naming under dbt-core defines a generate_schema_name that
// calls mesh_core.generate_schema_name.
//
// # What is not supported, and why
//
// Python models (there is no Python to run them). Anything that needs a
// database connection while compiling: adapter.*, run_query, statement,
// load_result, graph, modules. dbt Hub and git packages (only local ones,
// since nothing is downloaded). Custom generic tests, singular tests in
// tests/, snapshots, analyses, exposures, metrics, semantic models, docs
// blocks, hooks execution, model versions and contracts. Selectors support
// names, graph operators (+name, name+, +name+), tag:, path:, package: and
// config.materialized:, separated by spaces (a union); not intersections,
// depths (2+name) or the @ operator.
//
// These are rejected, not ignored: Load checks every function call in every
// model and macro against the names it knows before rendering anything, and
// fails with the file and line of the first unknown one, e.g.
// "models/marts/fact_orders.sql:7: unknown function 'adapter.get_relation'".
// Undefined variables fail too (strict undefined, as in dbt), as does a
// ref() or source() that names nothing. Errors raised while rendering carry
// the line of the model statement that failed and, when it happened inside a
// macro, the macro's file and line. Errors wrap the sentinels of errors.go.
//
// # How config() and dependencies are discovered
//
// Like dbt's parser, Load renders every model once with execute=False and
// recording functions: config(...) stores its keyword arguments (and renders
// to ""), ref() and source() record what they name, is_incremental() is
// false. No regular expression reads config(): whatever Jinja computes is
// what counts, including config() calls made by a macro. Because a
// ref inside {% if is_incremental() %} does not run at parse time, literal
// ref() and source() calls found anywhere in the syntax tree are added to
// the dependencies too (dbt would need a "-- depends_on:" comment for them).
//
// # How ephemeral models are injected
//
// Compile renders the model again with execute=True through the caller's
// Resolver. A ref() to an ephemeral model renders as __dbt__cte__<name> and
// queues the model; each queued model is compiled the same way (recursively,
// depth first, each CTE once, a cycle is an error), giving the list of CTEs
// " __dbt__cte__<name> as (\n<sql>\n)" with dependencies before dependants.
// They are injected exactly as dbt's _inject_ctes_into_sql does: when the
// SQL starts (after blanks and comments) with WITH or WITH RECURSIVE, the
// CTEs joined by ", " are inserted after that keyword followed by a comma;
// otherwise "with" and the CTEs are inserted before the first non-blank
// character (which gives dbt's ")select" with no space).
//
// # Tests
//
// CompileTest returns the SQL of dbt's default test macros: a query
// selecting the failing rows, so the executor counts them with
// select count(*) from (<sql>).
//
// # Artifacts
//
// WriteManifest, WriteRunResults and WriteCatalog write into a target
// directory the field set of dbt 1.9.11 (manifest v12, run_results v6,
// catalog v1), which both the 1.9.11 and 1.12.3 schemas accept and which
// OpenMetadata's parser (extra fields forbidden) reads. Node database, schema
// and alias come from Artifacts.Relations so that OpenMetadata matches them
// to the Iceberg tables (service.database.schema.alias).
//
// Nodes carry the values dbt-core computes, so that both manifests of a
// project agree: a generic test's unique id ends with dbt's hash of its name
// and test_metadata (the last 10 hex digits of an MD5 over the Python repr,
// see testHash), its kwargs are its arguments as written plus column_name
// and model, a name of 64 characters or more gets dbt's short alias in
// config.alias, and its schema is dbt_test__audit (generate_schema_name of
// the custom schema, routed as for models); a model's primary_key is
// inferred from its unique and not_null tests; file checksums are the
// SHA-256 of the file without leading and trailing blanks (a seed over 1 MiB
// by its path).
package dbt
