"""One measured task in a fresh process, so its peak memory is its own:
`python -m bench.child report 2025-01-08` (or import, alert, replenish,
replenish-fill). Prints one JSON line last.

Peak resident memory (VmHWM) rather than tracemalloc: it counts what the
process really holds (libpq's result buffers, ReportLab's C parts, the
allocator's slack), and costs nothing, where tracemalloc sees Python objects
only and slows the build several times over. The baseline is the peak once
Django (if any) and the task's imports are loaded, before the task starts.
BENCH_PROFILE=path writes a cProfile of the task there."""

import cProfile
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.procs import peak_rss_mb

MARK = "BENCH-RESULT "


def _django() -> None:
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()


def _report(day: str) -> Callable[[], dict]:
    _django()
    from reports.periods import day_period
    from reports.services import report_build

    def run() -> dict:
        report = report_build(period=day_period(day))
        return {"status": report.status, "totals": report.totals}

    return run


def _import(path: str) -> Callable[[], dict]:
    _django()
    from django.core.management import call_command

    def run() -> dict:
        call_command("import_products", path, verbosity=0)
        return {}

    return run


def _alert(events_path: str) -> Callable[[], dict]:
    """No Django here: the function runs alone, as on Lambda."""
    from lambda_alert.handler import handler

    events = json.loads(Path(events_path).read_text())

    def run() -> dict:
        seconds, outcomes = [], []
        for event in events:
            started = time.perf_counter()
            outcomes.append(handler(event, None))
            seconds.append(time.perf_counter() - started)
        return {"invocations": seconds, "outcomes": outcomes}

    return run


def _replenish(day: str, mode: str) -> Callable[[], dict]:
    """mode "fresh": the drafts are deleted first (not timed), so the run
    writes every line; "again": a second run over the drafts as they are."""
    _django()
    import datetime

    from django.db import connection

    from purchasing.models import PurchaseOrder
    from purchasing.services import replenish

    if mode == "fresh":
        PurchaseOrder.objects.filter(status="draft").delete()

    def run() -> dict:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            drafts = replenish(day=datetime.date.fromisoformat(day))
        return {
            "queries": queries,
            "drafts": len(drafts),
            "draft_lines": sum(d.lines for d in drafts),
        }

    return run


def _replenish_fill(products: str, per_product: str) -> Callable[[], dict]:
    _django()
    from bench.replenish_data import fill

    return lambda: fill(int(products), int(per_product))


TASKS = {
    "report": _report,
    "import": _import,
    "alert": _alert,
    "replenish": _replenish,
    "replenish-fill": _replenish_fill,
}


def main(argv: list[str]) -> int:
    task, *args = argv
    run = TASKS[task](*args)
    baseline = peak_rss_mb()
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    extra = run()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    if profiler:
        Path(profile).parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
    result = {"seconds": seconds, "peak_mb": peak_rss_mb(), "baseline_mb": baseline}
    print(MARK + json.dumps(result | extra, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
