"""Helpers of the dbt-core interop check (go run mage.go interop:dbt).

They run inside the check's virtual environment (internal/interop/dbt/
requirements.lock), so the DuckDB they use is the one dbt-duckdb builds with.

    meshdbt.py sql DB
        Runs the SQL read from stdin (one or more statements) on the DuckDB
        database file DB and prints the rows of the last statement as CSV,
        the header first, NULL as an empty field.

    meshdbt.py dbt STEPS RESULTS
        Runs dbt commands one after another in this one process, through
        dbt's programmatic entry point (dbt.cli.main.dbtRunner), which saves
        the seconds each dbt process spends importing dbt and its adapter.
        STEPS is a JSON list of {"name": ..., "args": [...], "env": {...}}:
        env is set in os.environ before the step runs (the profile reads the
        database file and schema with env_var). After each step RESULTS (a
        JSON list of {"name", "success", "error", "seconds"}) is rewritten; a
        step that fails ends the run. dbt's own console output goes to stdout.

    meshdbt.py snapshots CATALOG
        Prints, as CSV, every snapshot of every Iceberg table of a SQLite
        catalog (the embedded default's catalog.db): namespace, table,
        snapshot_id, timestamp_ms and the dbt invocation that committed it
        (mesh.dbt.invocation_id of the snapshot summary, empty for ingests).
        It reads the catalog with the standard library and each table's
        current metadata file, so it needs neither PyIceberg nor an
        Iceberg extension.
"""

import csv
import json
import os
import sqlite3
import sys
import urllib.parse
import urllib.request


def run_sql(db_path):
    import duckdb

    sql = sys.stdin.read()
    con = duckdb.connect(db_path)
    try:
        cur = con.execute(sql)
        out = csv.writer(sys.stdout, lineterminator="\n")
        if cur.description is None:
            return
        out.writerow([d[0] for d in cur.description])
        for row in cur.fetchall():
            out.writerow(["" if v is None else v for v in row])
    finally:
        con.close()


def run_dbt(steps_path, results_path):
    import time

    from dbt.cli.main import dbtRunner

    with open(steps_path, encoding="utf-8") as f:
        steps = json.load(f)
    results = []
    for step in steps:
        os.environ.update(step.get("env") or {})
        start = time.monotonic()
        res = dbtRunner().invoke(step["args"])
        error = ""
        if res.exception is not None:
            error = f"{type(res.exception).__name__}: {res.exception}"
        results.append({"name": step["name"], "success": bool(res.success), "error": error,
                        "seconds": round(time.monotonic() - start, 3)})
        with open(results_path, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
        sys.stdout.flush()
        if not res.success:
            raise SystemExit(1)


def metadata_path(location):
    if location.startswith("file:"):
        return urllib.request.url2pathname(urllib.parse.urlparse(location).path)
    if "://" in location:
        raise SystemExit(f"snapshots: metadata at {location}: only local warehouses are supported")
    return location


def snapshots(catalog_path):
    con = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        tables = con.execute(
            "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["namespace", "table", "snapshot_id", "timestamp_ms", "invocation_id"])
    for namespace, table, location in tables:
        with open(metadata_path(location), encoding="utf-8") as f:
            meta = json.load(f)
        for snap in meta.get("snapshots") or []:
            summary = snap.get("summary") or {}
            out.writerow([namespace, table, snap["snapshot-id"], snap["timestamp-ms"],
                          summary.get("mesh.dbt.invocation_id", "")])


def main(argv):
    if len(argv) == 3 and argv[1] == "sql":
        run_sql(argv[2])
    elif len(argv) == 4 and argv[1] == "dbt":
        run_dbt(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "snapshots":
        snapshots(argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
