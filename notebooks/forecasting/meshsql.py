"""Read the lakehouse from a notebook: ``meshctl sql --format csv`` into pandas.

The notebooks of this folder import it::

    from meshsql import sql, figure_path
    df = sql("SELECT region, count(*) AS n FROM orders.fact_orders GROUP BY 1",
             dates=["event_date"])

``meshctl`` is ``$MESH_BIN_DIR/meshctl`` when MESH_BIN_DIR is set, else
``<repo>/bin/meshctl`` (``go run mage.go build``), where <repo> is
$MESH_REPO_ROOT or the nearest directory above this file holding go.work.
It runs with the notebook's environment, so MESH_DATA_DIR, MESH_CATALOG and
the rest choose the lakehouse exactly as they do for every other binary
(``go run mage.go demo`` fills the default one, <repo>/.mesh).
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pandas as pd

# Where the notebooks save their figures when asked: a directory.
FIGURES_ENV = "MESH_WRITE_FIGURES"


class MeshSQLError(RuntimeError):
    """meshctl sql failed: the message holds its stderr and the query."""


def repo_root() -> Path:
    """$MESH_REPO_ROOT, else the nearest directory above this file with go.work."""
    if os.environ.get("MESH_REPO_ROOT"):
        return Path(os.environ["MESH_REPO_ROOT"]).resolve()
    here = Path(__file__).resolve().parent
    for d in (here, *here.parents):
        if (d / "go.work").is_file():
            return d
    raise MeshSQLError(f"no go.work above {here}: set MESH_REPO_ROOT or MESH_BIN_DIR")


def meshctl() -> Path:
    """The meshctl binary: $MESH_BIN_DIR/meshctl, else <repo>/bin/meshctl."""
    bin_dir = os.environ.get("MESH_BIN_DIR")
    path = Path(bin_dir) / "meshctl" if bin_dir else repo_root() / "bin" / "meshctl"
    if not path.is_file():
        raise MeshSQLError(f"{path} not found: run `go run mage.go build` (or set MESH_BIN_DIR)")
    return path


def sql(query: str, dates: list[str] | None = None, timeout: float = 600) -> pd.DataFrame:
    """Run query with ``meshctl sql --format csv`` and return its rows.

    Numbers come back as numbers, booleans as booleans, NULL as NaN, other
    values as DuckDB's text; the columns named in dates are parsed as dates
    (pandas datetime64). A failing query raises MeshSQLError with meshctl's
    message.
    """
    proc = subprocess.run(
        [str(meshctl()), "sql", "--format", "csv", query],
        capture_output=True, text=True, env=os.environ.copy(), timeout=timeout,
    )
    if proc.returncode != 0:
        raise MeshSQLError(f"meshctl sql exited {proc.returncode}: {proc.stderr.strip()}\nquery: {query}")
    if not proc.stdout.strip():
        raise MeshSQLError(f"meshctl sql printed nothing\nquery: {query}")
    df = pd.read_csv(io.StringIO(proc.stdout), keep_default_na=False, na_values=[""])
    for col in dates or []:
        df[col] = pd.to_datetime(df[col])
    return df


def figure_path(name: str) -> Path | None:
    """Where to save figure name (a file name) when $MESH_WRITE_FIGURES names a
    directory, else None: the notebooks only show their figures by default."""
    d = os.environ.get(FIGURES_ENV)
    if not d:
        return None
    path = Path(d)
    path.mkdir(parents=True, exist_ok=True)
    return path / name


def latest_run(table: str, day_column: str = "trained_through") -> tuple[pd.Timestamp, str]:
    """The latest run of one of forecasting's versioned tables: its last day
    (the as-of, day_column) and, of that day's runs <kind>-<as-of>-v<N>, the
    highest version, which is the one readers take."""
    runs = sql(f"SELECT DISTINCT {day_column} AS day, run_id FROM {table}", dates=["day"])
    if runs.empty:
        raise MeshSQLError(f"{table} has no run: run `go run mage.go demo` first")
    last = runs[runs.day == runs.day.max()]
    version = last.run_id.str.extract(r"-v(\d+)$", expand=False).astype(int)
    return runs.day.max(), last.run_id[version.idxmax()]
