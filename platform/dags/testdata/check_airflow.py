"""Extract the structure of generated Airflow DAG files without Airflow.

Usage: python3 check_airflow.py FILE...  ->  prints one JSON object per file:
{"path", "dag_id", "schedule", "owner", "tags", "catchup", "retries", "tasks": {id: command},
 "edges": [[upstream, downstream]], "outlets": {task: [uris]}, "deadline": "timedelta(...)" or "None"}

It parses each file with ast (after py_compile), so only literal structure is
read: the mesh_dag(...) call of the "with" statement, the mesh_task(...)
assignments and the ">>" chains. It also compiles the shared mesh_airflow.py.
"""
import ast
import json
import os
import py_compile
import sys


def asset_uri(identifier):
    namespace, name = identifier.split(".", 1)
    return "iceberg://mesh/" + namespace + "/" + name


def literal(node):
    """Evaluate a literal, rendering table("ns.t") calls as {"asset": uri}."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "table":
        return {"asset": asset_uri(ast.literal_eval(node.args[0]))}
    if isinstance(node, ast.List):
        return [literal(e) for e in node.elts]
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("timedelta", "datetime"):
        return ast.unparse(node)
    if isinstance(node, ast.Name):
        return {"name": node.id}
    return ast.literal_eval(node)


def chain(node, edges):
    """Record the edges of a >> expression and return its rightmost names."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        left = chain(node.left, edges)
        right = chain(node.right, edges)
        for a in left:
            for b in right:
                edges.append([a, b])
        return right
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.List):
        return [e.id for e in node.elts]
    raise ValueError("unexpected node in a >> chain: " + ast.dump(node))


def inspect(path):
    py_compile.compile(path, doraise=True)
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    out = {"path": path, "tasks": {}, "edges": [], "outlets": {}, "deadline": None}
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "mesh_airflow"]
    if not imports:
        raise ValueError(path + ": does not import mesh_airflow")
    var_to_task = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "mesh_task":
                args = node.value.args
                kw = {k.arg: k.value for k in node.value.keywords}
                task_id = ast.literal_eval(args[0])
                var_to_task[name] = task_id
                out["tasks"][task_id] = ast.literal_eval(args[1])
                if "outlets" in kw:
                    out["outlets"][task_id] = [a["asset"] for a in literal(kw["outlets"])]
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "mesh_dag":
                kw = {k.arg: k.value for k in call.keywords if k.arg}
                out["dag_id"] = ast.literal_eval(kw["dag_id"])
                sched = literal(kw["schedule"])
                out["schedule"] = [a["asset"] for a in sched] if isinstance(sched, list) else sched
                out["tags"] = literal(kw["tags"])
                out["catchup"] = literal(kw["catchup"])
                out["start_date"] = ast.unparse(kw["start_date"])
                out["dagrun_timeout"] = ast.unparse(kw["dagrun_timeout"])
                out["owner"] = ast.literal_eval(kw["owner"])
                out["retries"] = ast.literal_eval(kw["retries"])
                out["deadline"] = ast.unparse(kw["deadline"])
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
            chain(node.value, out["edges"])
    out["edges"] = [[var_to_task[a], var_to_task[b]] for a, b in out["edges"]]
    return out


if __name__ == "__main__":
    shared = set()
    for p in sys.argv[1:]:
        if os.path.basename(p) == "mesh_airflow.py":
            py_compile.compile(p, doraise=True)
            continue
        mod = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(p))), "mesh_airflow.py")
        if mod not in shared and os.path.exists(mod):
            py_compile.compile(mod, doraise=True)
            shared.add(mod)
        print(json.dumps(inspect(p)))
