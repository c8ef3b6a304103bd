"""1. Sales throughput, three ways run after run in the same session: the
kiosk API under gunicorn on PostgreSQL ("ours"); the framework floor, a bare
DRF view with token authentication running the sale's raw SQL through Django's
connection in the same gunicorn (bench.floor); the same SQL from raw psycopg
in as many threads (the ceiling). Plus a hot product everyone buys."""

import http.client
import json
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench import db, fixtures
from bench.config import GUNICORN, GUNICORN_CONF, ROOT, VAR, Plan
from bench.fixtures import Clerk, Item
from bench.floor import FLOOR_URL
from bench.load import Client, Clock, Tally, drive, summary
from bench.net import free_port
from bench.procs import BackendCpu, CpuMeter, children, self_cpu_seconds
from bench.raw_sale import sale_statements
from bench.stats import median, ratio

PATHS = ("ours", "floor", "raw")
HOT_PATHS = ("ours", "raw")
TARGET_CLIENTS = 8
TARGET_SHARE_OF_RAW = 0.25
TARGET_SHARE_OF_FLOOR = 0.60
TARGET_APP_CPU_MS = 4.0  # gunicorn workers' CPU per sale
TARGET_P99_MS = 50.0
API_URL = "/api/sales/"


@dataclass(frozen=True)
class Workload:
    """3-line baskets over the products; with a hot product, it is always
    one of the three (one unit), so every sale waits for its row lock."""

    items: list[Item]
    hot: Item | None = None

    def basket(self, rng: random.Random) -> list[tuple[Item, int]]:
        if self.hot is None:
            return [(item, rng.randint(1, 3)) for item in rng.sample(self.items, 3)]
        return [(self.hot, 1)] + [
            (item, rng.randint(1, 3)) for item in rng.sample(self.items, 2)
        ]


# ------------------------------------------------------------------------------
# The server under test
# ------------------------------------------------------------------------------


class Gunicorn:
    """gunicorn serving pitstop.wsgi on 127.0.0.1 for a step, with the
    deployment's configuration (deploy/gunicorn.conf.py: worker class,
    workers, threads) unless the bench is told other counts, and the bench's
    settings (bench.settings: the product's, plus the framework floor)."""

    def __init__(
        self, env: dict[str, str], *, workers: int, threads: int, log: Path
    ) -> None:
        self.env = env | {"DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.workers, self.threads, self.log = workers, threads, log
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "pitstop.wsgi:application",
                    "--config",
                    str(GUNICORN_CONF),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the bench, which stops it
            )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
            except OSError:
                time.sleep(0.2)
                continue
            if len(children(self.process.pid)) == self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start in {timeout} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()  # the master stops its workers itself
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ------------------------------------------------------------------------------
# Clients: the kiosk over HTTP, and the same transaction in raw psycopg
# ------------------------------------------------------------------------------


def http_client(
    port: int, url: str, clerks: list[Clerk], workload: Workload, keys: str
) -> Client:
    """Posts the kiosk's sale body to `url`: the kiosk API or the floor."""

    def run(index: int, clock: Clock) -> Tally:
        rng = random.Random(f"{keys}-{index}")
        headers = {
            "Authorization": f"Token {clerks[index].token}",
            "Content-Type": "application/json",
        }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tally = Tally()
        clock.start.wait()
        number = 0
        while time.perf_counter() < clock.deadline:
            number += 1
            lines = [{"sku": i.sku, "qty": q} for i, q in workload.basket(rng)]
            body = json.dumps(
                {"lines": lines, "idempotency_key": f"{keys}-{index}-{number}"}
            )
            started = time.perf_counter()
            try:
                conn.request("POST", url, body, headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                tally.add(time.perf_counter() - started, "error", repr(exc))
                continue
            tally.add(time.perf_counter() - started, *_outcome(response, payload))
        clock.finish.wait()
        conn.close()
        return tally

    return run


def _outcome(response: http.client.HTTPResponse, payload: bytes) -> tuple[str, str]:
    if response.status == 201:
        return "sale", ""
    if response.status == 409 and b"insufficient_stock" in payload:
        return "refusal", ""
    return "error", f"{response.status} {payload[:200]!r}"


def raw_client(url: str, clerks: list[Clerk], workload: Workload, keys: str) -> Client:
    def run(index: int, clock: Clock) -> Tally:
        rng = random.Random(f"{keys}-{index}")
        tally = Tally()
        with psycopg.connect(url) as conn:
            clock.start.wait()
            number = 0
            while time.perf_counter() < clock.deadline:
                number += 1
                lines = [(i.sku, q) for i, q in workload.basket(rng)]
                key = f"{keys}-{index}-{number}"
                started = time.perf_counter()
                try:
                    with conn.cursor() as cur:
                        sold = sale_statements(cur, clerks[index].user_id, lines, key)
                    if sold is None:
                        conn.rollback()
                    else:
                        conn.commit()
                except psycopg.Error as exc:
                    conn.rollback()
                    tally.add(time.perf_counter() - started, "error", repr(exc))
                    continue
                outcome = "refusal" if sold is None else "sale"
                tally.add(time.perf_counter() - started, outcome)
            clock.finish.wait()
        return tally

    return run


# ------------------------------------------------------------------------------
# After each run: nothing lost, nothing oversold, counter = ledger
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    last_sale: int
    last_move: int
    stock: dict[int, int]


def snapshot(conn: psycopg.Connection, pks: list[int]) -> Snapshot:
    last_sale = conn.execute("SELECT coalesce(max(id), 0) FROM sales_sale")
    last_move = conn.execute("SELECT coalesce(max(id), 0) FROM inventory_stockmovement")
    rows = conn.execute(
        "SELECT id, stock FROM inventory_product WHERE id = ANY(%s)", [pks]
    )
    return Snapshot(last_sale.fetchone()[0], last_move.fetchone()[0], dict(rows))


def verify(conn: psycopg.Connection, before: Snapshot, reported_sales: int) -> dict:
    """stock = initial - sold = initial + the run's ledger rows, per product;
    as many sale rows as answers saying "sold"; no negative stock anywhere."""
    pks = list(before.stock)
    sales_rows = conn.execute(
        "SELECT count(*) FROM sales_sale WHERE id > %s", [before.last_sale]
    ).fetchone()[0]
    sold = dict(
        conn.execute(
            "SELECT product_id, sum(quantity) FROM sales_saleline"
            " WHERE sale_id > %s GROUP BY product_id",
            [before.last_sale],
        )
    )
    moved = dict(
        conn.execute(
            "SELECT product_id, sum(delta) FROM inventory_stockmovement"
            " WHERE id > %s GROUP BY product_id",
            [before.last_move],
        )
    )
    now = dict(
        conn.execute(
            "SELECT id, stock FROM inventory_product WHERE id = ANY(%s)", [pks]
        )
    )
    oversold_or_lost = sum(
        1 for pk in pks if now[pk] != before.stock[pk] - sold.get(pk, 0)
    )
    ledger_off = sum(1 for pk in pks if now[pk] != before.stock[pk] + moved.get(pk, 0))
    ledger_total_off = conn.execute(
        "SELECT count(*) FROM inventory_product p WHERE p.id = ANY(%s) AND p.stock <>"
        " (SELECT coalesce(sum(delta), 0) FROM inventory_stockmovement m"
        "  WHERE m.product_id = p.id)",
        [pks],
    ).fetchone()[0]
    negative = conn.execute(
        "SELECT count(*) FROM inventory_product WHERE stock < 0"
    ).fetchone()[0]
    problems = {
        "sales_rows_vs_answers": sales_rows - reported_sales,
        "products_stock_not_initial_minus_sold": oversold_or_lost,
        "products_stock_not_initial_plus_ledger": ledger_off,
        "products_stock_not_sum_of_ledger": ledger_total_off,
        "products_negative": negative,
    }
    return {"ok": not any(problems.values())} | problems


# ------------------------------------------------------------------------------
# The step
# ------------------------------------------------------------------------------


@dataclass
class Context:
    url: str
    env: dict[str, str]
    workers: int
    threads: int
    stamp: str


class RunCpu:
    """CPU seconds of the app server, the database backends and this process
    (the clients) over one timed run."""

    def __init__(self, url: str, app: list[int]) -> None:
        self.app = CpuMeter(app)
        self.db = BackendCpu(url, db.database_name(url))
        self.client = 0.0
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.app.start()
        self.db.start()
        self.client = self_cpu_seconds()

    def stop(self) -> None:
        self.used = {
            "app": self.app.stop(),
            "db": self.db.stop(),
            "client": self_cpu_seconds() - self.client,
        }


def one_run(
    ctx: Context,
    server: Gunicorn,
    *,
    path: str,
    workload: Workload,
    clients: int,
    clerks: list[Clerk],
    plan: Plan,
    prepare: Callable[[], None],
    label: str,
) -> dict:
    def client_for(work: Workload, keys: str) -> Client:
        if path == "raw":
            return raw_client(ctx.url, clerks, work, keys)
        url = API_URL if path == "ours" else FLOOR_URL
        return http_client(server.port, url, clerks, work, keys)

    # Warm-up on the spread workload (connections, imports, caches): every
    # worker gets requests, and the hot product's stock is left alone.
    warm = max(clients, ctx.workers)
    drive(warm, plan.warmup_seconds, client_for(Workload(workload.items), f"{label}w"))
    if workload.hot:
        rate = _hot_rate(workload.hot, clients, plan, client_for(workload, f"{label}c"))
        fixtures.stock_set(
            {workload.hot.pk: max(20, int(rate * plan.sale_seconds / 2))}
        )
    prepare()
    pks = [i.pk for i in workload.items] + ([workload.hot.pk] if workload.hot else [])
    with db.connect(ctx.url) as monitor:
        before = snapshot(monitor, pks)
        app = server.worker_pids() if path != "raw" else []
        cpu = RunCpu(ctx.url, app)
        tallies, clock = drive(
            clients,
            plan.sale_seconds,
            client_for(workload, label),
            on_start=cpu.start,
            on_finish=cpu.stop,
        )
        used = cpu.used
        result = summary(tallies, clock)
        result["check"] = verify(monitor, before, result["sales"])
        if workload.hot:
            hot_stock = monitor.execute(
                "SELECT stock FROM inventory_product WHERE id = %s", [workload.hot.pk]
            ).fetchone()[0]
            result["hot_stock_before"] = before.stock[workload.hot.pk]
            result["hot_stock_after"] = hot_stock
    attempts = max(result["requests"], 1)
    result["cpu_ms_per_request"] = {k: v * 1000 / attempts for k, v in used.items()}
    sold = max(result["sales"], 1)
    result["cpu_ms_per_sale"] = {k: v * 1000 / sold for k, v in used.items()}
    return {"path": path, "clients": clients} | result


def step(plan: Plan, ctx: Context) -> dict:
    items, hot = fixtures.sale_products_ensure(plan.sale_products)
    clerks = fixtures.clerks_ensure(max(plan.clients))
    spread = Workload(items)

    def restock() -> None:
        fixtures.restock_if_low(items)
        db.vacuum_analyze(ctx.url)

    runs: list[dict] = []
    hot_runs: list[dict] = []
    log = VAR / "gunicorn.log"
    with Gunicorn(ctx.env, workers=ctx.workers, threads=ctx.threads, log=log) as server:
        for clients in plan.clients:
            for rep in range(plan.repeats):
                for path in PATHS:
                    label = f"{ctx.stamp}-{path[0]}{clients}-{rep}"
                    run = one_run(
                        ctx, server, path=path, workload=spread, clients=clients,
                        clerks=clerks, plan=plan, prepare=restock, label=label,
                    )  # fmt: skip
                    run["rep"] = rep
                    _print_run("spread", run)
                    runs.append(run)
        for rep in range(plan.repeats):
            for path in HOT_PATHS:
                label = f"{ctx.stamp}-{path[0]}h-{rep}"
                run = one_run(
                    ctx, server, path=path, workload=Workload(items, hot),
                    clients=TARGET_CLIENTS, clerks=clerks, plan=plan,
                    prepare=restock, label=label,
                )  # fmt: skip
                run["rep"] = rep
                _print_run("hot", run)
                hot_runs.append(run)
    return _result(plan, ctx, runs, hot_runs)


def _hot_rate(hot: Item, clients: int, plan: Plan, client: Client) -> float:
    """The hot product's sale rate on this path, measured with stock to spare,
    so that the timed run gets stock for about half its length: it both sells
    and, once the stock is gone, refuses."""
    fixtures.stock_set({hot.pk: fixtures.SALE_STOCK})
    tallies, clock = drive(clients, max(2.0, plan.sale_seconds / 5), client)
    return summary(tallies, clock)["sales_per_s"]


def _print_run(variant: str, run: dict) -> None:
    cpu = run["cpu_ms_per_sale"]
    print(
        f"  sales {variant:6} {run['path']:5} clients={run['clients']:2}"
        f" sales/s={run['sales_per_s']:7.1f}"
        f" (in stock {run['sales_per_s_in_stock']:7.1f} for {run['in_stock_s']:4.1f}s)"
        f" refused={run['refusals']:5}"
        f" errors={run['errors']} p50={run['p50_ms'] or 0:6.1f}ms"
        f" p99={run['p99_ms'] or 0:6.1f}ms cpu/sale app={cpu['app']:.2f}"
        f" db={cpu['db']:.2f} client={cpu['client']:.2f}ms"
        f" check={'ok' if run['check']['ok'] else run['check']}",
        flush=True,
    )
    for sample in run["error_samples"]:
        print(f"    error: {sample}")


def _median_of(runs: list[dict], key: str) -> float | None:
    return median([r[key] for r in runs if r[key] is not None])


def _rows(
    runs: list[dict], levels: tuple[int, ...], paths: tuple[str, ...] = PATHS
) -> list[dict]:
    rows = []
    for clients in levels:
        row: dict = {"clients": clients}
        for path in paths:
            mine = [r for r in runs if r["path"] == path and r["clients"] == clients]
            row[path] = {
                "sales_per_s": _median_of(mine, "sales_per_s"),
                "sales_per_s_in_stock": _median_of(mine, "sales_per_s_in_stock"),
                "in_stock_s": _median_of(mine, "in_stock_s"),
                "requests_per_s": _median_of(mine, "requests_per_s"),
                "p50_ms": _median_of(mine, "p50_ms"),
                "p99_ms": _median_of(mine, "p99_ms"),
                "sales": sum(r["sales"] for r in mine),
                "refusals": sum(r["refusals"] for r in mine),
                "errors": sum(r["errors"] for r in mine),
                "checks_ok": all(r["check"]["ok"] for r in mine),
                "cpu_ms_per_sale": {
                    k: median([r["cpu_ms_per_sale"][k] for r in mine])
                    for k in ("app", "db", "client")
                },
                "runs": len(mine),
            }
        ours = row["ours"]["sales_per_s"]
        row["share_of_raw"] = ratio(ours, row["raw"]["sales_per_s"])
        if "floor" in row:
            row["share_of_floor"] = ratio(ours, row["floor"]["sales_per_s"])
            row["floor_share_of_raw"] = ratio(
                row["floor"]["sales_per_s"], row["raw"]["sales_per_s"]
            )
            # The same share judged by CPU per sale (app + db), which the
            # other engineers' load on the machine disturbs less than rates.
            row["cpu_share_of_floor"] = ratio(
                _cpu_total(row["floor"]), _cpu_total(row["ours"])
            )
        rows.append(row)
    return rows


def _cpu_total(path: dict) -> float | None:
    cpu = path["cpu_ms_per_sale"]
    if cpu["app"] is None or cpu["db"] is None:
        return None
    return cpu["app"] + cpu["db"]


def _result(plan: Plan, ctx: Context, runs: list[dict], hot_runs: list[dict]) -> dict:
    rows = _rows(runs, plan.clients)
    (hot,) = _rows(hot_runs, (TARGET_CLIENTS,), HOT_PATHS)
    at = next(r for r in rows if r["clients"] == TARGET_CLIENTS)
    ours = at["ours"]
    hot_ours = hot["ours"]
    hot_ok = [r for r in hot_runs if r["path"] == "ours"]
    app_cpu = ours["cpu_ms_per_sale"]["app"]
    targets = [
        {
            "name": f"sales/s at {TARGET_CLIENTS} clients >= 25 % of raw psycopg",
            "value": at["share_of_raw"],
            "limit": TARGET_SHARE_OF_RAW,
            "unit": "share",
            "ok": (at["share_of_raw"] or 0) >= TARGET_SHARE_OF_RAW,
        },
        {
            "name": f"sales/s at {TARGET_CLIENTS} clients >= 60 % of the framework"
            " floor",
            "value": at["share_of_floor"],
            "limit": TARGET_SHARE_OF_FLOOR,
            "unit": "share",
            "ok": (at["share_of_floor"] or 0) >= TARGET_SHARE_OF_FLOOR,
        },
        {
            "name": f"app CPU per sale at {TARGET_CLIENTS} clients <= 4 ms",
            "value": app_cpu,
            "limit": TARGET_APP_CPU_MS,
            "unit": "ms",
            "ok": app_cpu is not None and app_cpu <= TARGET_APP_CPU_MS,
        },
        {
            "name": f"p99 at {TARGET_CLIENTS} clients < 50 ms",
            "value": ours["p99_ms"],
            "limit": TARGET_P99_MS,
            "unit": "ms",
            "ok": (ours["p99_ms"] or 1e9) < TARGET_P99_MS,
        },
        {
            "name": "hot product: no errors, refusals for stock, checks pass",
            "value": f"{hot_ours['errors']} errors, {hot_ours['refusals']} refused",
            "limit": "0 errors, > 0 refused",
            "unit": "",
            "ok": hot_ours["errors"] == 0
            and hot_ours["refusals"] > 0
            and all(r["check"]["ok"] and r["hot_stock_after"] == 0 for r in hot_ok),
        },
        {
            "name": "every run: stock = initial - sold = ledger, none negative",
            "value": sum(not r["check"]["ok"] for r in runs + hot_runs),
            "limit": 0,
            "unit": "failed runs",
            "ok": all(r["check"]["ok"] for r in runs + hot_runs),
        },
    ]
    return {
        "gunicorn": {
            "workers": ctx.workers,
            "threads": ctx.threads,
            "worker_class": "sync" if ctx.threads == 1 else "gthread",
        },
        "products": plan.sale_products,
        "seconds_per_run": plan.sale_seconds,
        "rows": rows,
        "hot": hot
        | {"hot_stock_per_run": {r["path"]: r["hot_stock_before"] for r in hot_runs}},
        "runs": runs + [r | {"variant": "hot"} for r in hot_runs],
        "targets": targets,
    }
