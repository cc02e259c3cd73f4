"""Read every table of the lakehouse with one reader and write its fingerprint.

Run by 'go run mage.go interop:readers' (internal/magekit/interop_readers.go),
inside the environment of requirements.lock. Each reader lists the tables of
its own catalog, loads each table whole and writes, per table, the row count
and an order-independent checksum of every column, as JSON:

    python readers.py meshctl   --out f.json --meshctl bin/meshctl
    python readers.py pyiceberg --out f.json --catalog-uri URI --warehouse W [--s3-...]
    python readers.py spark     --out f.json --catalog-uri DSN --warehouse W --jars a.jar,b.jar [--s3-...]

The checksum is defined once, here (checksum_select), and always evaluated by
DuckDB: by the lakehouse's own query path for meshctl (the SQL goes through
'meshctl sql'), and by the DuckDB of this environment over the Arrow table a
reader returned for PyIceberg and Spark. Only the reader differs between the
columns of the comparison. Before any table, self_test proves on a small table
that the checksum sees the differences it must and ignores only representation.

A table a reader cannot read is reported with its error and the others are
still read: one unsupported feature must not hide the state of the rest.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

# 2^64: checksums are sums of 64-bit numbers modulo 2^64.
MOD = 18446744073709551616

ROW = "mesh_row"  # alias of the scanned relation; the row as a STRUCT


def fold(text_expr):
    """The order-independent checksum of a text expression over all rows: the
    sum, modulo 2^64, of a 64-bit number taken from the MD5 of each value.
    A sum (not XOR) so that duplicate rows count; 0 for an empty table."""
    return (
        f"CAST(coalesce(CAST(sum(md5_number_lower({text_expr})) AS HUGEINT), 0) % {MOD} AS VARCHAR)"
    )


def checksum_select(relation):
    """The checksum query over relation, a table or view name.

    The canonical text of a row is DuckDB's text of the row as a STRUCT:
    every column, in schema order, named, cast to VARCHAR, strings quoted,
    NULL marked as NULL. Casting is the only normalisation, and it erases only
    representation (string vs large_string, date32 vs date64, the time zone
    name of a UTC timestamp, the precision of a decimal type with the same
    scale), never a value. It runs with TimeZone UTC (checksum_sql), so a
    TIMESTAMPTZ prints the same instant the same way wherever it is read.

    Each column also gets its own checksum ("col:<name>", 'V' || value, NULL
    folded as 0), so a difference names the columns it is in.
    """
    return (
        f'SELECT count(*) AS "mesh:rows", '
        f'{fold(f"CAST({ROW} AS VARCHAR)")} AS "mesh:checksum", '
        f"{fold(chr(39) + 'V' + chr(39) + ' || CAST(COLUMNS(*) AS VARCHAR)')} AS 'col:\\0' "
        f"FROM {relation} AS {ROW}"
    )


def checksum_sql(relation):
    """checksum_select as a script that first sets the time zone."""
    return "SET TimeZone='UTC'; " + checksum_select(relation)


def checksum_sql_many(tables):
    """One query of the checksums of many tables ("ns.name"), a row each,
    labelled by "mesh:table"; BY NAME because each has its own "col:" columns
    (NULL in the rows of the others)."""
    parts = [
        f"SELECT {quote_string(t)} AS \"mesh:table\", * FROM ({checksum_select(quote_table(t))})" for t in tables
    ]
    return "SET TimeZone='UTC'; " + " UNION ALL BY NAME ".join(parts)


def quote_table(table):
    """The SQL name of a lakehouse table "ns.name": "ns"."name"."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split(".", 1))


def quote_string(s):
    return "'" + s.replace("'", "''") + "'"


def fingerprint(record, seconds):
    """Turns one result row of checksum_sql (a dict) into a table entry."""
    cols = {}
    for k, v in record.items():
        if k.startswith("col:") and v is not None:
            cols[k[4:]] = hex64(v)
    return {
        "rows": int(record["mesh:rows"]),
        "checksum": hex64(record["mesh:checksum"]),
        "columns": cols,
        "seconds": round(seconds, 3),
    }


def hex64(v):
    return format(int(v) % MOD, "016x")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def error_text(e):
    """One line naming the exception; the first line of a Java error."""
    msg = str(e).strip().splitlines()
    return f"{type(e).__name__}: {msg[0] if msg else ''}"


# ---- DuckDB over Arrow (PyIceberg, Spark) -------------------------------------------


class ArrowChecksummer:
    def __init__(self):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute("SET TimeZone='UTC'")

    def __call__(self, arrow_table):
        t = time.time()
        self.con.register("mesh_scan", arrow_table)
        try:
            cur = self.con.execute(checksum_sql("mesh_scan"))
            names = [d[0] for d in cur.description]
            row = cur.fetchone()
        finally:
            self.con.unregister("mesh_scan")
        return fingerprint(dict(zip(names, row)), time.time() - t)


def self_test(check):
    """Proves on a small table that the checksum ignores row order and string
    representation and sees a changed, missing or duplicated value, a
    time-zone-naive timestamp and NULL versus the text 'NULL': a checksum
    that could not tell them apart would make every comparison pass."""
    import datetime as dt
    import decimal

    import pyarrow as pa

    utc = dt.timezone.utc
    base = pa.table(
        {
            "id": pa.array(["a", "b", "c"]),
            "ts": pa.array([dt.datetime(2026, 11, 19, 10, 0, 0, 123456, utc)] * 3, pa.timestamp("us", tz="UTC")),
            "day": pa.array([dt.date(2026, 11, 19)] * 3, pa.date32()),
            "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("2.00"), None], pa.decimal128(12, 2)),
            "x": pa.array([0.1, None, 3.0]),
            "note": pa.array([None, "NULL", ""]),
        }
    )
    want = check(base)

    def col(name, arr):
        return base.set_column(base.schema.get_field_index(name), name, arr)

    same = {
        "rows reversed": base.take([2, 1, 0]),
        "large_string": col("id", base["id"].cast(pa.large_string())),
        "time zone named Etc/UTC": col("ts", base["ts"].cast(pa.timestamp("us", tz="Etc/UTC"))),
        "date64": col("day", base["day"].cast(pa.date64())),
        "decimal(38,2)": col("price", base["price"].cast(pa.decimal128(38, 2))),
    }
    differ = {
        "a value changed": (col("x", pa.array([0.1, None, 3.0000000001])), "x"),
        "naive timestamp": (col("ts", base["ts"].cast(pa.timestamp("us"))), "ts"),
        "NULL for 'NULL'": (col("note", pa.array([None, None, ""])), "note"),
        "a row duplicated": (pa.concat_tables([base, base.slice(0, 1)]), None),
        "a row missing": (base.slice(1), None),
        "values swapped between rows": (col("id", pa.array(["b", "a", "c"])), None),
    }
    for name, t in same.items():
        if check(t)["checksum"] != want["checksum"]:
            raise AssertionError(f"checksum self-test: {name} changed the checksum")
    for name, (t, column) in differ.items():
        got = check(t)
        if got["checksum"] == want["checksum"] and got["rows"] == want["rows"]:
            raise AssertionError(f"checksum self-test: {name} left the checksum unchanged")
        if column and [c for c in want["columns"] if got["columns"].get(c) != want["columns"][c]] != [column]:
            raise AssertionError(f"checksum self-test: {name} is not named in column {column}")


def read_all(reader, tables, load):
    """Loads each (namespace, name) with load and fingerprints it."""
    check = ArrowChecksummer()
    self_test(check)
    out = []
    for ns, name in tables:
        full = f"{ns}.{name}"
        t = time.time()
        try:
            arrow = load(ns, name)
            entry = check(arrow)
            entry["seconds"] = round(time.time() - t, 3)
            entry["types"] = {f.name: str(f.type) for f in arrow.schema}
        except Exception as e:  # reported per table, the others are still read
            log(f"{reader}: {full}: {error_text(e)}")
            traceback.print_exc(limit=3, file=sys.stderr)
            entry = {"error": error_text(e), "seconds": round(time.time() - t, 3)}
        entry["table"] = full
        out.append(entry)
        log(f"{reader}: {full}: {entry.get('rows', 'error')} rows in {entry['seconds']}s")
    return out


# ---- meshctl ------------------------------------------------------------------------


def run_meshctl(args):
    def meshctl(*a):
        p = subprocess.run([args.meshctl, *a], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"meshctl {a[0]} exited {p.returncode}: {p.stderr.strip()}")
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    names = sorted(r["table"] for r in meshctl("tables", "--format", "json"))
    # One query for all tables (one process, one DuckDB: seconds instead of a
    # minute on MinIO); if it fails, table by table, to name the ones that do.
    t = time.time()
    try:
        rows = meshctl("sql", "--format", "json", checksum_sql_many(names))
        took = (time.time() - t) / max(len(names), 1)
        by_table = {r.pop("mesh:table"): r for r in rows}
        if sorted(by_table) == names:
            return {"meshctl": args.meshctl}, [
                dict(fingerprint(by_table[n], took), table=n) for n in names
            ]
        log(f"meshctl: the query of all tables returned {sorted(by_table)}, want {names}")
    except Exception as e:
        log(f"meshctl: the query of all tables failed, reading them one by one: {error_text(e)}")
    out = []
    for full in names:
        t = time.time()
        try:
            rows = meshctl("sql", "--format", "json", checksum_sql(quote_table(full)))
            if len(rows) != 1:
                raise RuntimeError(f"checksum query returned {len(rows)} rows, want 1")
            entry = fingerprint(rows[0], time.time() - t)
        except Exception as e:
            log(f"meshctl: {full}: {error_text(e)}")
            entry = {"error": error_text(e), "seconds": round(time.time() - t, 3)}
        entry["table"] = full
        out.append(entry)
    return {"meshctl": args.meshctl}, out


# ---- PyIceberg ----------------------------------------------------------------------


def sqlalchemy_uri(uri):
    """The SQLAlchemy URL of our catalog URI: a SQLite file path, or a
    postgres:// DSN (read with psycopg2)."""
    if uri.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg2://" + uri.split("://", 1)[1]
    return "sqlite:///" + os.path.abspath(uri)


def s3_properties(args, prefix=""):
    if not args.s3_endpoint:
        return {}
    return {
        prefix + "s3.endpoint": args.s3_endpoint,
        prefix + "s3.region": args.s3_region,
        prefix + "s3.access-key-id": args.s3_access_key,
        prefix + "s3.secret-access-key": args.s3_secret_key,
    }


def run_pyiceberg(args):
    import duckdb
    import pyarrow
    import pyiceberg
    from pyiceberg.catalog import load_catalog

    props = {
        "type": "sql",
        "uri": sqlalchemy_uri(args.catalog_uri),
        # Our catalog's tables exist (iceberg-go made them): never create or alter them.
        "init_catalog_tables": "false",
        "warehouse": args.warehouse,
        **s3_properties(args),
    }
    cat = load_catalog(args.catalog_name, **props)
    tables = []
    for ns in sorted(cat.list_namespaces()):
        for ident in sorted(cat.list_tables(ns)):
            tables.append((".".join(ident[:-1]), ident[-1]))
    versions = {"pyiceberg": pyiceberg.__version__, "pyarrow": pyarrow.__version__, "duckdb": duckdb.__version__}
    return versions, read_all(
        "pyiceberg", tables, lambda ns, name: cat.load_table((ns, name)).scan().to_arrow()
    )


# ---- Spark --------------------------------------------------------------------------


def jdbc_properties(dsn):
    """The Iceberg JDBC catalog properties of a postgres:// DSN."""
    u = urlsplit(dsn)
    if u.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"spark reads a PostgreSQL catalog: want a postgres:// catalog URI, got scheme {u.scheme!r}")
    query = urlencode(parse_qsl(u.query))
    props = {"uri": f"jdbc:postgresql://{u.hostname}:{u.port or 5432}{u.path}" + (f"?{query}" if query else "")}
    if u.username:
        props["jdbc.user"] = unquote(u.username)
    if u.password:
        props["jdbc.password"] = unquote(u.password)
    return props


def run_spark(args):
    import duckdb
    import pyarrow
    import pyspark
    from pyspark.sql import SparkSession

    c = f"spark.sql.catalog.{args.catalog_name}"
    conf = {
        "spark.master": "local[2]",
        "spark.app.name": "mesh-interop-readers",
        "spark.driver.memory": args.spark_memory,
        "spark.jars": args.jars,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        c: "org.apache.iceberg.spark.SparkCatalog",
        f"{c}.type": "jdbc",
        # iceberg-go creates iceberg_tables with the iceberg_type column (the V1
        # layout); Java's JdbcCatalog assumes the column-less V0 unless told.
        f"{c}.jdbc.schema-version": "V1",
        # A reader: never create or migrate the catalog's tables, they are iceberg-go's.
        f"{c}.jdbc.init-catalog-tables": "false",
        f"{c}.warehouse": args.warehouse,
    }
    conf.update({f"{c}.{k}": v for k, v in jdbc_properties(args.catalog_uri).items()})
    if args.s3_endpoint:
        conf.update(
            {
                f"{c}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
                f"{c}.s3.endpoint": args.s3_endpoint,
                f"{c}.s3.path-style-access": "true",
                f"{c}.s3.access-key-id": args.s3_access_key,
                f"{c}.s3.secret-access-key": args.s3_secret_key,
                f"{c}.client.region": args.s3_region,
            }
        )
    # Bind to loopback: a local session needs no other interface, and the host
    # name of a CI machine may not resolve.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    b = SparkSession.builder
    for k, v in conf.items():
        b = b.config(k, v)
    t = time.time()
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    jvm = spark.sparkContext._jvm
    versions = {
        "spark": spark.version,
        "pyspark": pyspark.__version__,
        "iceberg": jvm.org.apache.iceberg.IcebergBuild.version(),
        "java": jvm.java.lang.System.getProperty("java.version"),
        "scala": jvm.scala.util.Properties.versionNumberString(),
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb.__version__,
    }
    log(f"spark: session up in {time.time() - t:.1f}s: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    try:
        tables = []
        for ns in sorted(r[0] for r in spark.sql(f"SHOW NAMESPACES IN {args.catalog_name}").collect()):
            for r in spark.sql(f"SHOW TABLES IN {args.catalog_name}.`{ns}`").collect():
                tables.append((ns, r["tableName"]))
        tables.sort()
        return versions, read_all(
            "spark", tables, lambda ns, name: spark.table(f"{args.catalog_name}.`{ns}`.`{name}`").toArrow()
        )
    finally:
        spark.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("reader", choices=["meshctl", "pyiceberg", "spark"])
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--meshctl", help="path of bin/meshctl (meshctl reader)")
    p.add_argument("--catalog-name", default="mesh")
    p.add_argument("--catalog-uri", help="SQLite file path or postgres:// DSN")
    p.add_argument("--warehouse")
    p.add_argument("--s3-endpoint", default="")
    p.add_argument("--s3-region", default="")
    p.add_argument("--s3-access-key", default="")
    p.add_argument("--s3-secret-key", default="")
    p.add_argument("--jars", default="", help="comma-separated jars for Spark")
    p.add_argument("--spark-memory", default="1g")
    args = p.parse_args()
    start = time.time()
    versions, tables = {"meshctl": run_meshctl, "pyiceberg": run_pyiceberg, "spark": run_spark}[args.reader](args)
    doc = {"reader": args.reader, "versions": versions, "seconds": round(time.time() - start, 3), "tables": tables}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
