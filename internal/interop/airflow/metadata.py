"""Print what an Airflow metadata database (SQLite) holds about our DAGs, as JSON.

Usage: python3 metadata.py AIRFLOW_DB

Used by 'go run mage.go interop:airflow' after `airflow dags reserialize` and
`airflow dags test`: one read of the database instead of one Airflow CLI start
(several seconds each) per DAG run and per asset. Prints one JSON object:

  runs       [{"dag_id", "run_id", "state", "tasks": {task_id: state}}]
  schedules  {dag_id: [uri, ...]}   the Assets (Datasets on 2.x) a DAG is scheduled on
  outlets    {"dag_id.task_id": [uri, ...]}   the Assets a task announces

Airflow 3 names the tables asset*, Airflow 2.10 dataset*; the columns are the same.
"""
import json
import sqlite3
import sys


def main(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    kind = "asset" if "asset" in tables else "dataset"
    runs = {}
    for dag_id, run_id, state in db.execute("SELECT dag_id, run_id, state FROM dag_run ORDER BY dag_id, run_id"):
        runs[(dag_id, run_id)] = {"dag_id": dag_id, "run_id": run_id, "state": state, "tasks": {}}
    for dag_id, run_id, task_id, state in db.execute(
            "SELECT dag_id, run_id, task_id, state FROM task_instance ORDER BY dag_id, run_id, task_id"):
        run = runs.get((dag_id, run_id))
        if run is not None:
            run["tasks"][task_id] = state
    schedules = {}
    for dag_id, uri in db.execute(
            "SELECT r.dag_id, a.uri FROM dag_schedule_{0}_reference r JOIN {0} a ON a.id = r.{0}_id "
            "ORDER BY r.dag_id, a.uri".format(kind)):
        schedules.setdefault(dag_id, []).append(uri)
    outlets = {}
    for dag_id, task_id, uri in db.execute(
            "SELECT r.dag_id, r.task_id, a.uri FROM task_outlet_{0}_reference r JOIN {0} a ON a.id = r.{0}_id "
            "ORDER BY r.dag_id, r.task_id, a.uri".format(kind)):
        outlets.setdefault(dag_id + "." + task_id, []).append(uri)
    json.dump({"runs": list(runs.values()), "schedules": schedules, "outlets": outlets}, sys.stdout)
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
