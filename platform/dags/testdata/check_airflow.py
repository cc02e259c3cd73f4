"""Check the Airflow files without Airflow.

Usage: python3 check_airflow.py MESH_AIRFLOW_PY FILE...

Compiles and imports MESH_AIRFLOW_PY (dags/mesh_airflow.py), then, one JSON
object per line:
- a generated DAG file (.py): compiled and read with ast, it must import
  build_dag from mesh_airflow and call build_dag(globals(), "<spec>",
  "<dag_id>") once; its DAG is then read with mesh_airflow.load_dag from the
  spec next to it; prints {"kind": "module", "path", "spec", "dag_id",
  "discoverable", "error"} where discoverable says whether Airflow's safe mode
  would parse it (it mentions "airflow" and "dag") and error is load_dag's
  error, "" when none.
- a spec (.json): read with mesh_airflow.load_spec and planned with
  mesh_airflow.dag_plans; prints {"kind": "dag", "path", ...plan} per DAG,
  durations in seconds and dates in ISO form, or {"kind": "error", "path",
  "error"} when the spec is rejected.
Exits 1 when reading the specs imported Airflow.
"""
import ast
import datetime
import importlib.util
import json
import os
import py_compile
import sys


def plain(value):
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def check_module(mesh, path):
    py_compile.compile(path, doraise=True)
    source = open(path, encoding="utf-8").read()
    tree = ast.parse(source, path)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "mesh_airflow"
               and [a.name for a in n.names] == ["build_dag"]]
    if len(imports) != 1:
        raise ValueError(path + ": does not import build_dag from mesh_airflow")
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "build_dag"]
    if len(calls) != 1 or len(calls[0].args) != 3:
        raise ValueError(path + ": want one call build_dag(globals(), SPEC, DAG_ID)")
    ns, spec, dag_id = calls[0].args
    if not (isinstance(ns, ast.Call) and getattr(ns.func, "id", None) == "globals"):
        raise ValueError(path + ": build_dag must get globals()")
    spec, dag_id = ast.literal_eval(spec), ast.literal_eval(dag_id)
    error = ""
    try:
        mesh.load_dag(os.path.join(os.path.dirname(path), spec), dag_id)
    except mesh.SpecError as e:
        error = str(e)
    lower = source.lower()
    return {"kind": "module", "path": path, "spec": spec, "dag_id": dag_id,
            "discoverable": "airflow" in lower and "dag" in lower, "error": error}


def main(argv):
    py_compile.compile(argv[0], doraise=True)
    spec = importlib.util.spec_from_file_location("mesh_airflow", argv[0])
    mesh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mesh)
    for path in argv[1:]:
        if path.endswith(".py"):
            print(json.dumps(check_module(mesh, path)))
            continue
        try:
            plans = mesh.dag_plans(mesh.load_spec(path))
        except mesh.SpecError as e:
            print(json.dumps({"kind": "error", "path": path, "error": str(e)}))
            continue
        for plan in plans:
            print(json.dumps(dict(plain(plan), kind="dag", path=path)))
    if any(m == "airflow" or m.startswith("airflow.") for m in sys.modules):
        print("reading the specs imported airflow", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
