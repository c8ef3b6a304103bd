"""The one command: `python -m bench [--quick] [--only sales,report,...]`."""

import argparse
import dataclasses
import datetime
import json
import os
import runpy
import time
import traceback

from bench import db, docs, machine
from bench.app import django_setup
from bench.config import (
    BROKER_URL,
    DEFAULT_DATABASE_URL,
    DOC,
    FULL,
    GUNICORN_CONF,
    QUICK,
    RESULTS,
    STEPS,
    VAR,
    Plan,
    bench_env,
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="short runs and small sizes, one each"
    )
    parser.add_argument(
        "--only",
        default=",".join(STEPS),
        help=f"comma-separated steps among {', '.join(STEPS)} (default: all)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="the bench's own database, created if missing (never the test one)",
    )
    deployed = runpy.run_path(str(GUNICORN_CONF))
    parser.add_argument(
        "--workers",
        type=int,
        default=deployed["workers"],
        help=f"gunicorn workers (default: deploy/gunicorn.conf.py's,"
        f" {deployed['workers']})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=deployed["threads"],
        help=f"threads per gunicorn worker (default: {deployed['threads']})",
    )
    parser.add_argument(
        "--clients",
        help="sales: comma-separated client counts instead of the plan's (8 is"
        " where the targets are judged)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        help="sales: seconds per timed run instead of the plan's",
    )
    args = parser.parse_args(argv)
    args.steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    plan = QUICK if args.quick else FULL
    if args.clients:
        clients = tuple(int(c) for c in args.clients.split(","))
        if 8 not in clients:
            raise SystemExit("--clients must include 8, where the targets are judged")
        plan = dataclasses.replace(plan, clients=clients)
    if args.seconds:
        plan = dataclasses.replace(plan, sale_seconds=args.seconds)
    env = bench_env(args.database_url)
    VAR.mkdir(parents=True, exist_ok=True)
    print(f"bench: {'quick' if plan.quick else 'full'} run of {', '.join(args.steps)}")
    db.database_ensure(args.database_url, env)
    django_setup(env)
    stamp = datetime.datetime.now().strftime("%y%m%d%H%M%S")
    about = machine.describe(args.database_url)
    print(f"bench: machine {json.dumps(about)}")
    sections: dict[str, dict] = {}
    for name in args.steps:
        started = time.monotonic()
        print(f"bench: {name} ...", flush=True)
        try:
            section = _step(name, plan, args, env, stamp)
        except Exception as exc:  # the other steps still run and report
            traceback.print_exc()
            section = {"error": f"{type(exc).__name__}: {exc}", "targets": []}
        sections[name] = section | {
            "mode": "quick" if plan.quick else "full",
            "measured_at": _now(),
            "step_seconds": round(time.monotonic() - started),
        }
        _print_targets(name, sections[name]["targets"])
    _queue_drain()
    about["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results = _save(sections, about)
    docs.doc_update(results)
    print(f"bench: tables in {DOC}")
    failed = [n for n, s in sections.items() if "error" in s]
    return 1 if failed else 0


def _step(
    name: str, plan: Plan, args: argparse.Namespace, env: dict[str, str], stamp: str
) -> dict:
    if name == "sales":
        from bench import sales

        ctx = sales.Context(args.database_url, env, args.workers, args.threads, stamp)
        return sales.step(plan, ctx)
    if name == "clerk_form":
        from bench import clerk_form

        return clerk_form.step(plan, args.database_url, env, args.workers, args.threads)
    if name == "kiosk_sync":
        from bench import kiosk_sync

        return kiosk_sync.step(
            plan, args.database_url, env, args.workers, args.threads, stamp
        )
    if name == "report":
        from bench import report

        return report.step(plan, args.database_url, env)
    if name == "catalogue":
        from bench import catalogue

        return catalogue.step(plan, args.database_url, env)
    if name == "alert":
        from bench import alert

        return alert.step(plan)
    if name == "dashboard":
        from bench import dashboard

        return dashboard.step(plan, args.database_url, env)
    if name == "replenish":
        from bench import replenish

        return replenish.step(plan, args.database_url, env)
    if name == "perishables":
        from bench import perishables

        return perishables.step(plan, args.database_url, env)
    raise NotImplementedError(name)


def _print_targets(name: str, targets: list[dict]) -> None:
    for t in targets:
        verdict = {True: "ok", False: "MISS", None: "n/a"}[t["ok"]]
        print(f"  target [{verdict}] {name}: {t['name']}: {docs.target_value(t)}")


def _now() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return now.isoformat(timespec="seconds").replace("+00:00", "Z")


def _queue_drain() -> None:
    """Drop the after-commit tasks the run queued (hot-product crossings,
    report alerts): no worker reads the bench's Redis database."""
    import redis

    queued = redis.Redis.from_url(BROKER_URL)
    count = queued.llen("celery")
    queued.delete("celery")
    print(f"bench: dropped {count} task(s) queued in {BROKER_URL}")


def _save(sections: dict[str, dict], about: dict) -> dict:
    """Merge into the last results, so --only replaces only its own steps."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("sections", {}).update(sections)
    results["machine"] = about
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    print(f"bench: results in {RESULTS}")
    return results
