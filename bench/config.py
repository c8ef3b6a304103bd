"""What a run measures (quick or full), and the environment every process gets."""

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

# Not resolved: a checkout that links bench/ in runs against its own code.
ROOT = Path(__file__).absolute().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = VAR / "results.json"
DOC = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
# The deployment's gunicorn settings: the bench serves with the same.
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pitstop_bench"
BROKER_URL = "redis://127.0.0.1:6379/15"
# One key for the bench's processes (gunicorn workers share sessions), none kept.
SECRET_KEY = secrets.token_urlsafe(50)
STEPS = (
    "sales",
    "clerk_form",
    "kiosk_sync",
    "report",
    "catalogue",
    "alert",
    "dashboard",
    "replenish",
    "perishables",
)


@dataclass(frozen=True)
class Plan:
    quick: bool
    repeats: int  # every figure is the median of this many runs
    sale_seconds: float
    warmup_seconds: float
    clients: tuple[int, ...]
    sale_products: int
    report_lines: tuple[int, ...]
    catalogue_base: int  # products before the import
    import_rows: int
    admin_gets: int  # requests per admin page per measurement
    alert_products: int
    alert_repeats: int
    replenish_products: tuple[int, ...]  # one database per size
    clerk_form_items: int = 50  # scans per cart in the browser bench
    clerk_form_carts: int = 3


FULL = Plan(
    quick=False,
    repeats=3,
    sale_seconds=20.0,
    warmup_seconds=2.0,
    clients=(1, 4, 8, 16),
    sale_products=2_000,
    report_lines=(10_000, 100_000, 1_000_000),
    catalogue_base=5_000,
    import_rows=50_000,
    admin_gets=5,
    alert_products=10_000,
    alert_repeats=5,
    replenish_products=(5_000, 50_000),
)
QUICK = Plan(
    quick=True,
    repeats=1,
    sale_seconds=3.0,
    warmup_seconds=0.5,
    clients=(1, 4, 8, 16),
    sale_products=2_000,
    report_lines=(10_000, 100_000),
    catalogue_base=5_000,
    import_rows=5_000,
    admin_gets=3,
    alert_products=1_000,
    alert_repeats=2,
    replenish_products=(1_000, 5_000),
)


def bench_env(database_url: str) -> dict[str, str]:
    """The environment of the bench, gunicorn and every child process: the
    bench's own database, a Redis queue nobody consumes for after-commit
    tasks, reports in var/bench/reports, DEBUG off (no query log)."""
    env = dict(os.environ)
    for name in ("PITSTOP_REPORTS_BUCKET", "AWS_ENDPOINT_URL", "EMAIL_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="pitstop.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=BROKER_URL,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        PITSTOP_ALERTS="local",
        PITSTOP_REPORTS_DIR=str(VAR / "reports"),
        PYTHONPATH=str(ROOT),
    )
    return env
