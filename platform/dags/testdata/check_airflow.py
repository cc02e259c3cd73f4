"""Extract the structure of generated Airflow DAG files without Airflow.

Usage: python3 check_airflow.py FILE...  ->  prints one JSON object per file:
{"path", "dag_id", "schedule", "owner", "tags", "catchup", "tasks": {id: command},
 "edges": [[upstream, downstream]], "outlets": {task: [uris]}, "deadline": "timedelta(...)" or "None"}

It parses each file with ast (after py_compile), so only literal structure is
read: the DAG(...) call of the "with" statement, the default_args dict, the
BashOperator(...) assignments and the ">>" chains.
"""
import ast
import json
import py_compile
import sys


def literal(node):
    """Evaluate a literal, rendering Asset("uri") calls as {"asset": uri}."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Asset":
        return {"asset": ast.literal_eval(node.args[0])}
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
    var_to_task = {}
    default_args = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "DEADLINE":
                out["deadline"] = ast.unparse(node.value)
            if name == "default_args" and isinstance(node.value, ast.Dict):
                default_args = {ast.literal_eval(k): ast.unparse(v) for k, v in zip(node.value.keys, node.value.values)}
            if isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "BashOperator":
                kw = {k.arg: k.value for k in node.value.keywords}
                task_id = ast.literal_eval(kw["task_id"])
                var_to_task[name] = task_id
                out["tasks"][task_id] = ast.literal_eval(kw["bash_command"])
                if "outlets" in kw:
                    out["outlets"][task_id] = [a["asset"] for a in literal(kw["outlets"])]
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "DAG":
                kw = {k.arg: k.value for k in call.keywords if k.arg}
                out["dag_id"] = ast.literal_eval(kw["dag_id"])
                sched = literal(kw["schedule"])
                out["schedule"] = [a["asset"] for a in sched] if isinstance(sched, list) else sched
                out["tags"] = literal(kw["tags"])
                out["catchup"] = literal(kw["catchup"])
                out["start_date"] = ast.unparse(kw["start_date"])
                out["dagrun_timeout"] = ast.unparse(kw["dagrun_timeout"])
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
            chain(node.value, out["edges"])
    out["owner"] = ast.literal_eval(default_args.get("owner", "None"))
    out["retries"] = ast.literal_eval(default_args.get("retries", "None"))
    out["edges"] = [[var_to_task[a], var_to_task[b]] for a, b in out["edges"]]
    return out


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(inspect(p)))
