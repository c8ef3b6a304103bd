"""1c. A kiosk back online syncing the sales it queued offline: 500 sales
posted one at a time, in order, over one keep-alive connection, as
kiosk/static/kiosk/offline.js does (its exact body: lines with the price the
customer saw, an idempotency key per sale), by a Kiosks user with a token,
through the same gunicorn as the sales step. Then the same 500 again, as a
kiosk whose answers were all lost would: every one must come back 200 with no
second sale and no stock moved. Stock is checked exact against what the queue
asked for, and against the ledger."""

import http.client
import json
import os
import random
import time
from collections import Counter

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from bench import db, fixtures
from bench.config import VAR, Plan
from bench.procs import BackendCpu, CpuMeter
from bench.sales import Gunicorn, snapshot, verify
from bench.stats import median
from inventory.models import Product
from pitstop.roles import KIOSKS

TARGET_SECONDS = 10.0
QUEUED = 500
PRODUCTS = 200  # of the sales step's products: each sale takes 1-3 of them
STOCK = 5_000  # per product, far above what 500 sales take


def kiosk_token() -> str:
    user, _ = User.objects.get_or_create(username="bench-kiosk")
    user.groups.add(Group.objects.get(name=KIOSKS))
    return Token.objects.get_or_create(user=user)[0].key


def queue_of(items: list[fixtures.Item], prices: dict[int, str], keys: str) -> list:
    """The 500 bodies the page queued, oldest first."""
    rng = random.Random(keys)
    return [
        {
            "lines": [
                {"sku": item.sku, "qty": rng.randint(1, 3), "price": prices[item.pk]}
                for item in rng.sample(items, rng.randint(1, 3))
            ],
            "idempotency_key": f"{keys}-{n:04d}",
        }
        for n in range(QUEUED)
    ]


def sync(port: int, token: str, queue: list[dict], cpu: "SyncCpu") -> dict:
    """Post the queue in order, one at a time: seconds, the answers' codes,
    CPU milliseconds per sale of the app (gunicorn) and of PostgreSQL."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    codes: Counter = Counter()
    cpu.start()
    started = time.perf_counter()
    for body in queue:
        conn.request("POST", "/api/sales/", json.dumps(body), headers)
        response = conn.getresponse()
        response.read()
        codes[response.status] += 1
    seconds = time.perf_counter() - started
    app, database = cpu.stop()
    conn.close()
    return {
        "seconds": seconds,
        "codes": dict(codes),
        "app_cpu_ms": app / len(queue) * 1000,
        "db_cpu_ms": database / len(queue) * 1000,
    }


class SyncCpu:
    """CPU of the gunicorn workers and of the database's backends over a sync:
    unlike the wall time, the machine's load does not inflate it."""

    def __init__(self, url: str, workers: list[int]) -> None:
        self.url, self.workers = url, workers

    def start(self) -> None:
        self.app = CpuMeter(self.workers)
        self.db = BackendCpu(self.url, db.database_name(self.url))
        self.app.start()
        self.db.start()

    def stop(self) -> tuple[float, float]:
        return self.app.stop(), self.db.stop()


def step(
    plan: Plan, url: str, env: dict[str, str], workers: int, threads: int, stamp: str
) -> dict:
    items, _hot = fixtures.sale_products_ensure(plan.sale_products)
    items = items[:PRODUCTS]
    pks = [item.pk for item in items]
    token = kiosk_token()
    prices = {
        pk: str(price)
        for pk, price in Product.objects.filter(pk__in=pks).values_list("pk", "price")
    }
    runs = []
    with Gunicorn(env, workers=workers, threads=threads, log=VAR / "gunicorn.log") as (
        server
    ):
        for run in range(plan.repeats):
            fixtures.stock_set(dict.fromkeys(pks, STOCK))
            db.vacuum_analyze(url)
            queue = queue_of(items, prices, f"kiosk-sync-{stamp}-{run}")
            wanted: Counter = Counter()
            for body in queue:
                for line in body["lines"]:
                    wanted[line["sku"]] += line["qty"]
            with db.connect(url) as monitor:
                before = snapshot(monitor, pks)
                cpu = SyncCpu(url, server.worker_pids())
                first = sync(server.port, token, queue, cpu)
                again = sync(server.port, token, queue, cpu)
                check = verify(monitor, before, QUEUED)
            stock = dict(Product.objects.filter(pk__in=pks).values_list("sku", "stock"))
            exact = all(stock[item.sku] == STOCK - wanted[item.sku] for item in items)
            runs.append(
                first
                | {f"again_{key}": value for key, value in again.items()}
                | {"stock_exact": exact, "check": check, "load": os.getloadavg()[0]}
            )
            print(
                f"  kiosk_sync run {run + 1}: {QUEUED} sales in"
                f" {first['seconds']:.2f} s {first['codes']}, CPU per sale"
                f" app {first['app_cpu_ms']:.1f} ms + db {first['db_cpu_ms']:.1f} ms;"
                f" again {again['seconds']:.2f} s {again['codes']}, app"
                f" {again['app_cpu_ms']:.1f} ms + db {again['db_cpu_ms']:.1f} ms;"
                f" stock {'exact' if exact else 'WRONG'},"
                f" checks {'ok' if check['ok'] else check};"
                f" load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    seconds = median([r["seconds"] for r in runs])
    all_right = all(
        r["codes"] == {201: QUEUED}
        and r["again_codes"] == {200: QUEUED}
        and r["stock_exact"]
        and r["check"]["ok"]
        for r in runs
    )
    return {
        "queued": QUEUED,
        "products": PRODUCTS,
        "runs": runs,
        "seconds": seconds,
        "per_sale_ms": seconds / QUEUED * 1000,
        "again_seconds": median([r["again_seconds"] for r in runs]),
        "app_cpu_ms": median([r["app_cpu_ms"] for r in runs]),
        "db_cpu_ms": median([r["db_cpu_ms"] for r in runs]),
        "all_right": all_right,
        "targets": [
            {
                "name": f"sync of {QUEUED} queued sales < {TARGET_SECONDS:.0f} s",
                "value": seconds,
                "limit": TARGET_SECONDS,
                "unit": "s",
                "ok": seconds < TARGET_SECONDS,
            },
            {
                "name": "each sale once (201, replay 200), stock exact = ledger",
                "value": sum(
                    not r["stock_exact"] or not r["check"]["ok"] for r in runs
                ),
                "limit": 0,
                "unit": "failed runs",
                "ok": all_right,
            },
        ],
    }
