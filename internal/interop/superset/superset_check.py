"""interop:superset, the API half: run by internal/magekit/interop_superset.go.

Against a Superset that imported the bundle of every domain's dashboards:
every dataset's declared columns are what its SQL returns on the serving
DuckDB file (the logical types of platform/dashboards LogicalType), every
dashboard and chart of the declarations exists, and every chart's saved
query runs through Superset's own chart-data API and returns rows.

Reads MESH_SUPERSET_URL and MESH_SUPERSET_PASSWORD (the admin's, never
printed).
"""

import argparse
import json
import os
import sys
import time

import duckdb
import requests


def logical(duck_type):
    """The column type of a DuckDB type name, as dashboards.LogicalType."""
    t = duck_type.strip().upper()
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t in ("VARCHAR", "UUID") or t.startswith("ENUM"):
        return "text"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"):
        return "integer"
    if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    return ""


def check_columns(expect, serving):
    con = duckdb.connect(serving, read_only=True)
    failures = []
    for ds in expect["datasets"]:
        got = [(r[0], logical(r[1])) for r in con.execute("DESCRIBE (" + ds["sql"] + ")").fetchall()]
        want = [(c["Name"], c["Type"]) for c in ds["columns"]]
        if got != want:
            failures.append("dataset %s: declared columns %s, the SQL returns %s" % (ds["table"], want, got))
    con.close()
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", required=True)
    ap.add_argument("--serving", required=True)
    args = ap.parse_args()
    with open(args.expect) as f:
        expect = json.load(f)

    failures = check_columns(expect, args.serving)
    print("datasets: %d, declared columns checked against the serving file" % len(expect["datasets"]))

    url = os.environ["MESH_SUPERSET_URL"]
    s = requests.Session()
    r = s.post(url + "/api/v1/security/login",
               json={"username": "admin", "password": os.environ["MESH_SUPERSET_PASSWORD"], "provider": "db", "refresh": False},
               timeout=60)
    r.raise_for_status()
    s.headers["Authorization"] = "Bearer " + r.json()["access_token"]

    def get_all(kind, columns):
        q = "(columns:!(%s),page:0,page_size:100)" % ",".join(columns)
        r = s.get("%s/api/v1/%s/?q=%s" % (url, kind, q), timeout=60)
        r.raise_for_status()
        return r.json()["result"]

    dashboards = {d["slug"]: d for d in get_all("dashboard", ["id", "slug", "dashboard_title"])}
    charts = {c["uuid"]: c for c in get_all("chart", ["id", "uuid", "slice_name", "viz_type"])}
    print("%-24s %-44s %-24s %6s %8s" % ("dashboard", "chart", "viz_type", "rows", "seconds"))
    total_rows = 0
    for d in expect["dashboards"]:
        if d["slug"] not in dashboards:
            failures.append("dashboard %s was not imported" % d["slug"])
            continue
        for c in d["charts"]:
            chart = charts.get(c["uuid"])
            if chart is None:
                failures.append("chart %s (%s) was not imported" % (c["id"], c["title"]))
                continue
            start = time.time()
            r = s.get("%s/api/v1/chart/%d/data/?format=json" % (url, chart["id"]), timeout=300)
            took = time.time() - start
            if r.status_code != 200:
                failures.append("chart %s: chart data API answered %d: %s" % (c["id"], r.status_code, r.text[:400]))
                continue
            rows = sum(res.get("rowcount", 0) for res in r.json()["result"])
            total_rows += rows
            print("%-24s %-44s %-24s %6d %8.2f" % (d["slug"], c["id"].split(".", 1)[1], chart["viz_type"], rows, took))
            if rows == 0:
                failures.append("chart %s: its query returned no rows" % c["id"])
            elif c["rows"] >= 0 and rows != c["rows"]:
                failures.append("chart %s: %d rows through Superset, %d through meshctl sql" % (c["id"], rows, c["rows"]))
    n = sum(len(d["charts"]) for d in expect["dashboards"])
    print("charts: %d, rows: %d, through /api/v1/chart/<id>/data" % (n, total_rows))
    if failures:
        for f in failures:
            print("FAIL: " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
