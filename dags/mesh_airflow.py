"""Builds the Mesh-terious Warehouse Airflow DAGs from the specs that
`go run mage.go check` generates from domains/<d>/dags/*.yaml.

This file is maintained by hand; the generator does not write it. Each domain
folder dags/<domain>_dags/ holds generated files: <domain>_pipelines.json, the
domain's resolved DAGs as data (ids, schedules, tasks, commands, retries,
timeouts, tables read and written, owner, tags, deadlines), and one
<dag_id>.py per DAG, which calls
build_dag(globals(), "<domain>_pipelines.json", "<dag_id>") so that Airflow
finds that DAG object in its module globals. A DAG that fails to build is the
import error of its own file only: build_dag checks the spec's header and its
own DAG, not the other DAGs of the spec.

It sits in the DAG folder, which Airflow puts on sys.path, and loads on Airflow
2.10 and 3.x: Assets are Datasets on 2.10; deadlines are Deadline Alerts on
3.1+ (whose callback the triggerer imports from here by module path) and sla on
2.x; Airflow 3.0 has neither.

Reading and checking a spec (load_spec, load_dag, validate_spec) and turning it
into the arguments of the DAGs and tasks (dag_plan, dag_plans) do not import
Airflow, so they run, and are tested, anywhere python3 runs; only the builders
(build_dag, dag_from_plan, mesh_dag, mesh_task, table) import it.
`python3 mesh_airflow.py SPEC.json...` checks specs and lists their DAGs.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import types
from datetime import datetime, timedelta, timezone

MESH_BIN_DIR = os.environ.get("MESH_BIN_DIR", "/opt/mesh/bin")

# The spec layout this module reads (AirflowSpecFormat in platform/dags).
SPEC_FORMAT = 1

# A schedule triggered when every table the DAG reads was updated.
ON_UPDATE = "on_update"

# MESH_AIRFLOW_DEADLINES=off builds the DAGs without deadlines (Deadline Alerts
# or sla): `airflow dags test` on Airflow 3.3 crashes after a successful run of
# a DAG with a DeadlineAlert (apache/airflow#73428), so interop:airflow turns
# them off for its test runs.
DEADLINES = os.environ.get("MESH_AIRFLOW_DEADLINES", "on") != "off"

log = logging.getLogger("mesh.deadlines")


class SpecError(ValueError):
    """A spec that does not have the layout build_dag expects."""


# Spec reading and checking: no Airflow needed.

_TABLE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

_SPEC_KEYS = {
    "generated": str, "format": int, "domain": str, "sources": list, "start_date": str, "dags": list,
}
_DAG_KEYS = {
    "dag_id": str, "type": str, "description": str, "owner": str, "source": str, "schedule": str,
    "reads": list, "writes": list, "tags": list, "retries": int, "retry_delay_seconds": "seconds",
    "execution_timeout_seconds": "seconds", "dagrun_timeout_seconds": "seconds",
    "deadline_seconds": "seconds?", "tasks": list,
}
_TASK_KEYS = {
    "task_id": str, "command": str, "depends_on": list, "retries": int,
    "execution_timeout_seconds": "seconds", "outlets": list,
}


def asset_uri(identifier):
    """The Asset (Dataset) URI of an Iceberg table "<namespace>.<table>"."""
    namespace, name = identifier.split(".", 1)
    return "iceberg://mesh/" + namespace + "/" + name


def _check_fields(obj, keys, where):
    if not isinstance(obj, dict):
        raise SpecError("%s: want an object" % where)
    unknown = sorted(set(obj) - set(keys))
    if unknown:
        raise SpecError("%s: unknown field %s (regenerate the spec, or update mesh_airflow.py)" % (where, unknown[0]))
    for key, kind in keys.items():
        if key not in obj:
            raise SpecError("%s.%s: required" % (where, key))
        value = obj[key]
        if kind == "seconds?" and value is None:
            continue
        if kind in ("seconds", "seconds?"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SpecError("%s.%s: want a number of seconds >= 0, got %r" % (where, key, value))
            if kind == "seconds?" and value == 0:
                raise SpecError("%s.%s: want null or a number of seconds > 0" % (where, key))
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SpecError("%s.%s: want a whole number >= 0, got %r" % (where, key, value))
        elif not isinstance(value, kind):
            raise SpecError("%s.%s: want a %s, got %r" % (where, key, kind.__name__, value))
        if kind is list and not all(isinstance(v, str) for v in value) and key not in ("dags", "tasks"):
            raise SpecError("%s.%s: want a list of strings" % (where, key))


def _check_tables(ids, where):
    for ident in ids:
        if not _TABLE_RE.match(ident):
            raise SpecError("%s: %r is not a table identifier <namespace>.<table>" % (where, ident))


def _check_tasks(tasks, where):
    if not tasks:
        raise SpecError("%s: at least one task is required" % where)
    seen = set()
    for j, t in enumerate(tasks):
        tw = "%s[%d]" % (where, j)
        _check_fields(t, _TASK_KEYS, tw)
        if not t["task_id"]:
            raise SpecError("%s.task_id: required" % tw)
        if t["task_id"] in seen:
            raise SpecError("%s.task_id: duplicate task id %r" % (tw, t["task_id"]))
        seen.add(t["task_id"])
        if not t["command"].strip():
            raise SpecError("%s.command: required" % tw)
        if t["execution_timeout_seconds"] <= 0:
            raise SpecError("%s.execution_timeout_seconds: must be > 0" % tw)
        _check_tables(t["outlets"], tw + ".outlets")
    for j, t in enumerate(tasks):
        for dep in t["depends_on"]:
            if dep not in seen:
                raise SpecError("%s[%d].depends_on: unknown task %r" % (where, j, dep))
    done = set()
    while len(done) < len(tasks):
        ready = [t["task_id"] for t in tasks if t["task_id"] not in done and set(t["depends_on"]) <= done]
        if not ready:
            raise SpecError("%s: the task dependencies form a cycle" % where)
        done.update(ready)


def _check_head(spec, where):
    """Check everything of a spec but its DAGs' contents."""
    _check_fields(spec, _SPEC_KEYS, where)
    if spec["format"] != SPEC_FORMAT:
        raise SpecError("%s.format: %r, but this mesh_airflow.py reads format %d" % (where, spec["format"], SPEC_FORMAT))
    try:
        datetime.strptime(spec["start_date"], "%Y-%m-%d")
    except ValueError:
        raise SpecError("%s.start_date: want YYYY-MM-DD, got %r" % (where, spec["start_date"])) from None
    if not spec["dags"]:
        raise SpecError("%s.dags: at least one DAG is required" % where)


def _check_dag(d, dw):
    """Check one DAG of a spec; dw names it in errors."""
    _check_fields(d, _DAG_KEYS, dw)
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", d["dag_id"]):
        raise SpecError("%s.dag_id: %r: want letters, digits, _ . -" % (dw, d["dag_id"]))
    if not d["schedule"].strip():
        raise SpecError("%s.schedule: required: a cron expression, a preset or %s" % (dw, ON_UPDATE))
    if d["schedule"] == ON_UPDATE and not d["reads"]:
        raise SpecError("%s.schedule: %s needs reads" % (dw, ON_UPDATE))
    _check_tables(d["reads"], dw + ".reads")
    _check_tables(d["writes"], dw + ".writes")
    if d["execution_timeout_seconds"] <= 0:
        raise SpecError("%s.execution_timeout_seconds: must be > 0" % dw)
    _check_tasks(d["tasks"], dw + ".tasks")


def validate_spec(spec, where="spec"):
    """Check a spec's layout and consistency; return it, or raise SpecError naming the field."""
    _check_head(spec, where)
    names = {}
    for i, d in enumerate(spec["dags"]):
        dw = "%s.dags[%d]" % (where, i)
        _check_dag(d, dw)
        name = global_name(d["dag_id"])
        if name in names:
            raise SpecError("%s.dag_id: %r clashes with %r" % (dw, d["dag_id"], names[name]))
        names[name] = d["dag_id"]
    return spec


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except ValueError as e:
            raise SpecError("%s: %s" % (path, e)) from None


def load_spec(path):
    """Read and check the spec at path, every DAG of it."""
    return validate_spec(_read_json(path), os.path.basename(path))


def load_dag(path, dag_id):
    """Read the spec at path and return it and its DAG dag_id, checking only
    the spec's header and that DAG, so that a broken DAG breaks no other."""
    spec = _read_json(path)
    where = os.path.basename(path)
    _check_head(spec, where)
    for i, d in enumerate(spec["dags"]):
        if isinstance(d, dict) and d.get("dag_id") == dag_id:
            _check_dag(d, "%s.dags[%d]" % (where, i))
            return spec, d
    raise SpecError("%s: no DAG %r (regenerate the DAG files: go run mage.go dags)" % (where, dag_id))


def global_name(dag_id):
    """The module global holding the DAG dag_id."""
    return "dag_" + re.sub(r"[^A-Za-z0-9_]", "_", dag_id)


def dag_doc(d):
    """The Markdown doc of a spec's DAG, shown in the Airflow UI."""
    return "\n".join([
        "**%s**: %s" % (d["dag_id"], d["description"]),
        "",
        "Domain pipeline of type %s, owned by %s; declared at `%s`." % (d["type"], d["owner"], d["source"]),
        "",
        "- Reads: %s" % (", ".join(d["reads"]) or "(none)"),
        "- Writes: %s" % (", ".join(d["writes"]) or "(none)"),
        "",
        "Tasks run the domain binaries exactly as `meshctl dag run %s` does locally." % d["dag_id"],
    ])


def dag_plan(spec, d):
    """The arguments of mesh_dag and mesh_task for the DAG d of a checked spec.

    A plan is a dict of mesh_dag's keyword arguments plus "tasks", a list of
    dicts of mesh_task's arguments plus "depends_on". Schedules and outlets are
    Asset URIs here; the builder turns them into Assets.
    """
    start = datetime.strptime(spec["start_date"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
    schedule = d["schedule"]
    if schedule == ON_UPDATE:
        schedule = [asset_uri(t) for t in d["reads"]]
    deadline = d["deadline_seconds"]
    return {
        "dag_id": d["dag_id"],
        "description": d["description"],
        "doc_md": dag_doc(d),
        "owner": d["owner"],
        "schedule": schedule,
        "start_date": start,
        "catchup": False,
        "dagrun_timeout": timedelta(seconds=d["dagrun_timeout_seconds"]),
        "retries": d["retries"],
        "retry_delay": timedelta(seconds=d["retry_delay_seconds"]),
        "execution_timeout": timedelta(seconds=d["execution_timeout_seconds"]),
        "deadline": None if deadline is None else timedelta(seconds=deadline),
        "tags": list(d["tags"]),
        "tasks": [{
            "task_id": t["task_id"],
            "command": t["command"],
            "depends_on": list(t["depends_on"]),
            "retries": t["retries"],
            "execution_timeout": timedelta(seconds=t["execution_timeout_seconds"]),
            "outlets": [asset_uri(o) for o in t["outlets"]],
        } for t in d["tasks"]],
    }


def dag_plans(spec):
    """The plans (dag_plan) of every DAG of a checked spec, in spec order."""
    return [dag_plan(spec, d) for d in spec["dags"]]


# Airflow: imported on first use, by the builders only.

@functools.lru_cache(maxsize=None)
def _airflow():
    """The Airflow classes this module uses, from Airflow 3 or 2.10."""
    try:  # Airflow 3
        from airflow.sdk import DAG, Asset
    except ImportError:  # Airflow 2.10: Datasets are Assets
        from airflow import DAG
        from airflow.datasets import Dataset as Asset
    try:
        from airflow.providers.standard.operators.bash import BashOperator
    except ImportError:  # Airflow 2.10 without the standard provider
        from airflow.operators.bash import BashOperator
    try:  # Airflow 3.1+: deadline alerts replace sla
        from airflow.sdk.definitions.deadline import AsyncCallback, DeadlineAlert, DeadlineReference
    except ImportError:
        AsyncCallback = DeadlineAlert = DeadlineReference = None
    from airflow import __version__ as version
    return types.SimpleNamespace(
        DAG=DAG, Asset=Asset, BashOperator=BashOperator, AsyncCallback=AsyncCallback,
        DeadlineAlert=DeadlineAlert, DeadlineReference=DeadlineReference, version=version,
    )


async def deadline_missed(**kwargs):
    """Log a missed deadline; the DAG id and the deadline come in kwargs."""
    log.warning("mesh DAG %s missed its deadline of %s: %s", kwargs.get("dag_id"), kwargs.get("deadline"), kwargs.get("context"))


def asset(uri):
    """The Airflow Asset (Dataset on 2.10) of a URI."""
    return _airflow().Asset(uri)


def table(identifier):
    """The Airflow Asset of an Iceberg table "<namespace>.<table>"."""
    return asset(asset_uri(identifier))


def mesh_dag(*, dag_id, description, owner, schedule, start_date, catchup, dagrun_timeout,
             retries, retry_delay, execution_timeout, deadline, tags, doc_md=None):
    """A DAG with the platform's defaults; deadline is a timedelta or None."""
    af = _airflow()
    default_args = {
        "owner": owner,
        "retries": retries,
        "retry_delay": retry_delay,
        "execution_timeout": execution_timeout,
    }
    extra = {}
    if deadline is not None and DEADLINES:
        if af.DeadlineAlert is not None:
            extra["deadline"] = af.DeadlineAlert(
                reference=af.DeadlineReference.DAGRUN_QUEUED_AT,
                interval=deadline,
                callback=af.AsyncCallback(deadline_missed, kwargs={"dag_id": dag_id, "deadline": str(deadline)}),
            )
        elif af.version.startswith("2."):
            default_args["sla"] = deadline
    return af.DAG(
        dag_id=dag_id,
        description=description,
        doc_md=doc_md,
        schedule=schedule,
        start_date=start_date,
        catchup=catchup,
        max_active_runs=1,
        dagrun_timeout=dagrun_timeout,
        default_args=default_args,
        tags=tags,
        **extra,
    )


def mesh_task(task_id, command, **kwargs):
    """A task running a domain binary or meshctl, found in $MESH_BIN_DIR."""
    return _airflow().BashOperator(
        task_id=task_id,
        bash_command=command,
        env={"PATH": MESH_BIN_DIR + ":" + os.environ.get("PATH", "/usr/bin:/bin")},
        append_env=True,
        **kwargs,
    )


def dag_from_plan(plan):
    """The DAG object of a plan of dag_plan."""
    kwargs = {k: v for k, v in plan.items() if k != "tasks"}
    if isinstance(kwargs["schedule"], list):
        kwargs["schedule"] = [asset(u) for u in kwargs["schedule"]]
    with mesh_dag(**kwargs) as dag:
        tasks = {}
        for t in plan["tasks"]:
            extra = {"outlets": [asset(u) for u in t["outlets"]]} if t["outlets"] else {}
            tasks[t["task_id"]] = mesh_task(t["task_id"], t["command"], retries=t["retries"],
                                            execution_timeout=t["execution_timeout"], **extra)
        for t in plan["tasks"]:
            for dep in t["depends_on"]:
                tasks[dep] >> tasks[t["task_id"]]
    return dag


def build_dag(namespace, spec_name, dag_id):
    """Build the DAG dag_id of the spec spec_name, found next to the module
    whose globals() is namespace, and put it there under global_name(dag_id).
    Returns the DAG."""
    path = os.path.join(os.path.dirname(os.path.abspath(namespace["__file__"])), spec_name)
    spec, d = load_dag(path, dag_id)
    dag = dag_from_plan(dag_plan(spec, d))
    namespace[global_name(dag_id)] = dag
    return dag


if __name__ == "__main__":
    status = 0
    for p in sys.argv[1:]:
        try:
            ids = [d["dag_id"] for d in load_spec(p)["dags"]]
        except (OSError, SpecError) as e:
            print("%s: %s" % (p, e), file=sys.stderr)
            status = 1
            continue
        print("%s: %d DAGs: %s" % (p, len(ids), ", ".join(ids)))
    sys.exit(status)
