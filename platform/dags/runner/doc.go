// Package runner is the local DAG runner behind `meshctl dag run`: it executes
// the DAGs declared in domains/<d>/dags/*.yaml (package dags) on one machine,
// with no Airflow, exactly as the generated Airflow files do.
//
// # Running
//
// A DAG's tasks run one at a time in dependency order, each as a subprocess in
// its own process group. A task's binary is looked up in Config.BinDirs (the
// repository's bin/ for meshctl, or $MESH_BIN_DIR), then on PATH; the bin dirs
// are also prepended to the task's PATH. Every attempt is bounded by the
// task's execution timeout: on expiry the process group gets SIGTERM, then
// SIGKILL after Config.KillGrace. A failed attempt is retried after the DAG's
// retry delay, up to the task's retries. Tasks downstream of a failed task are
// marked upstream_failed.
//
// Several DAGs (--all, --domain) run in the order of their reads and writes: a
// DAG runs after every DAG that writes a table it reads. When such an upstream
// DAG did not succeed, the DAG is skipped with the reason, unless its trigger
// rule is all_done (maintenance and freshness DAGs).
//
// # Records
//
// Each attempt's output is appended to
// $MESH_DATA_DIR/dags/logs/<dag>/<run>/<task>.log, and every run is recorded
// in $MESH_DATA_DIR/dags/history.db (SQLite, pure Go): state and reason per
// run and per task, attempts, exit codes, start and end times, and whether the
// run missed its deadline (it took longer than the DAG's sla).
package runner
