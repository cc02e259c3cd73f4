// Package dags reads the pipelines a domain declares in domains/<d>/dags/*.yaml,
// validates them, and renders them as Airflow DAG files. The local runner
// (package dags/runner, `meshctl dag run`) executes the very same
// declarations, so a pipeline is declared once and runs on a laptop and in
// Airflow alike.
//
// # Declarations
//
// A declaration file holds optional defaults and a list of DAG entries. Each
// entry has a type that supplies its id, tasks and tables, so a domain writes
// little:
//
//	defaults: {retries: 2, retry_delay: 1m, execution_timeout: 30m, tags: [sales]}
//	dags:
//	  - {type: ingest, events: all, regions: all, schedule: "*/15 * * * *", sla: 1h}
//	  - {type: staging, entity: orders, schedule: on_update, sla: 2h}
//	  - {type: fact, entity: orders, schedule: on_update, sla: 3h}
//	  - {type: maintenance, schedule: "0 3 * * *"}
//	  - {type: freshness, schedule: "*/30 * * * *"}
//
// The types and what they expand to (id, tasks, default reads and writes):
//
//	ingest       ingest_<event>_<region>, one per event x region ("all" expands
//	             from domain.yaml): <d> ingest --event E --region R --until-idle,
//	             then register: meshctl metadata push --live --table <raw table>
//	             --if-configured (the table in OpenMetadata); writes <d>.<raw table of E>
//	staging      stg_<entity>: <d> transform run --select stg_<entity>;
//	             reads <d>.raw_<entity>, writes <d>.stg_<entity>
//	fact         fact_<entity>: <d> transform build --select fact_<entity>, then
//	             publish: meshctl publish --tables <d>.fact_<entity> --bundle none
//	             (the serving copy BI tools read); reads <d>.stg_<entity>,
//	             writes <d>.fact_<entity>
//	forecast     forecast_<target>: <d> forecast run --target <target>, then
//	             publish (as fact); writes <d>.forecast_<target>
//	maintenance  maintenance_<d>: <d> maintain compact, then expire-snapshots,
//	             then remove-orphans; reads every table of the domain
//	freshness    freshness_<d>: meshctl freshness --domain <d>; reads every
//	             table of the domain
//	metadata     metadata_<d>: meshctl metadata push --live --domain <d>
//	             --if-configured (refreshes the domain in OpenMetadata); reads
//	             every table of the domain. Derived for every domain from
//	             derived.yaml (@hourly) unless the domain declares its own
//	custom       an explicit id and tasks
//
// Every field may be set explicitly and wins over the type's default: id,
// description, schedule (a five-field cron, @hourly/@daily/@weekly/@monthly/
// @yearly, or on_update: triggered when every table it reads was updated,
// Airflow's data-aware scheduling), sla (how long after its start a run must
// have finished; also the freshness allowed for the tables it writes), retries,
// retry_delay, execution_timeout (per task), dagrun_timeout, tags (added to
// the domain name and the type), reads and writes (table identifiers
// <namespace>.<table>), trigger_rule (all_success: the local runner skips the
// DAG when a DAG writing a table it reads failed; all_done: it runs anyway) and
// tasks (id, command, depends_on, retries, execution_timeout).
//
// Ids, commands and table names are Go templates over .Domain, .Event,
// .Region, .RawTable, .Entity and .Target. Commands are split on white space
// (no shell quoting); the first word is a binary: a domain binary or meshctl.
// The owner is the domain's owners.team from domain.yaml.
//
// # Validation
//
// Load rejects unknown fields, bad values and inconsistencies with errors that
// name the file, the line and the field ("domains/orders/dags/pipelines.yaml:7:
// dags[1].schedule: ..."). Across all domains, dag ids are unique, a DAG only
// writes its own domain's tables, every table an on_update DAG reads is
// written by some DAG, and neither tasks nor DAGs form a cycle.
//
// # Airflow
//
// Airflow gets the DAGs as data. For each domain, Airflow (called by `go run
// mage.go check` and `go run mage.go dags`) generates in dags/<domain>_dags/:
//
//	<domain>_pipelines.json  the AirflowSpec: every resolved DAG of the domain
//	                         (id, description, owner, declaration, schedule,
//	                         reads, writes, tags, retries, retry delay,
//	                         timeouts, deadline) and its tasks (command line,
//	                         dependencies, retries, timeout, outlets);
//	                         durations in seconds
//	<dag_id>.py              one per DAG, a few lines:
//	                         build_dag(globals(), "<domain>_pipelines.json", "<dag_id>")
//
// One file per DAG so that a DAG failing to load is the import error of its
// own file and hides no other DAG of the domain; the spec stays the single
// source. All start with a "generated, do not edit" header and are committed;
// mage check fails when they drift from the declarations and removes the
// files of DAGs no longer declared.
//
// dags/mesh_airflow.py is maintained by hand and is not generated. Its
// load_spec, load_dag and dag_plan read and check a spec and turn a DAG of it
// into the arguments of the DAG and its tasks without importing Airflow;
// build_dag then creates the one DAG object of its file and puts it in the
// file's globals, where Airflow finds it. It loads on Airflow 2.10 and 3.x:
// a schedule is a cron expression or, for on_update, the Assets (Datasets on 2.10)
// iceberg://mesh/<namespace>/<table> of the tables read; the tasks nothing
// depends on announce the tables written as outlets; the DAGs run with
// catchup off, one active run, a static start date, the dagrun timeout and
// default_args holding owner, retries, retry delay and execution timeout; an
// sla becomes a Deadline Alert on Airflow 3.1+ (its callback,
// mesh_airflow.deadline_missed, is imported by the triggerer) and sla on
// 2.x. Tasks are BashOperators running the same command lines as the local
// runner, with $MESH_BIN_DIR (default /opt/mesh/bin) first on PATH.
// `python3 dags/mesh_airflow.py dags/*_dags/*.json` checks the specs.
package dags
