"""The bench's own PostgreSQL database: created and migrated on first use,
then only filled, restocked and analysed; never truncated (DESIGN.md)."""

import subprocess
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.config import PYTHON, ROOT

# Everything the timed steps read or write; analysed before each timing.
TABLES = (
    "inventory_product",
    "inventory_stockmovement",
    "inventory_lowstockalert",
    "sales_sale",
    "sales_saleline",
    "sales_return",
    "sales_returnline",
    "sales_shift",
)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def database_ensure(url: str, env: dict[str, str]) -> None:
    """Create the database if it is missing, then apply the migrations in a
    separate process, as a deployment would."""
    name = database_name(url)
    if name in {"", "postgres", "template0", "template1"} or name.startswith("test"):
        raise SystemExit(f"refusing to benchmark in the database {name!r}")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=autocommit)


def vacuum_analyze(url: str, tables: Iterable[str] = TABLES) -> None:
    """Fresh statistics and visibility maps before timing: this server runs
    with autovacuum off, so nothing else would refresh them."""
    with connect(url) as conn:
        for table in tables:
            conn.execute(f"VACUUM (ANALYZE) {table}")


def server_description(url: str) -> dict[str, str]:
    settings = ("shared_buffers", "synchronous_commit", "fsync", "autovacuum")
    with connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        rows = conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(settings)],
        ).fetchall()
    return {"version": version} | dict(rows)
