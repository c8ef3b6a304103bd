"""cProfile of kiosk sales (or the floor's) in one process, through the whole
WSGI stack the gunicorn workers run (middleware, DRF, our code, psycopg):
`.venv/bin/python -m bench.profile [--path ours|floor] [--sales 500]
[--database-url …]`. Uses the bench's database, products and clerks (run
`scripts/bench --only sales` once first, and not while a bench runs: its
sales would fail that run's stock checks); prints the CPU per sale and the
functions that take it (CPU time, not wall time), as markdown for
docs/performance.md."""

import argparse
import cProfile
import io
import json
import pstats
import random
import time

from bench.app import django_setup
from bench.config import DEFAULT_DATABASE_URL, bench_env

API_URL = "/api/sales/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--path", choices=("ours", "floor"), default="ours")
    parser.add_argument("--sales", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args(argv)
    env = bench_env(args.database_url) | {"DJANGO_SETTINGS_MODULE": "bench.settings"}
    django_setup(env)
    from django.test import Client

    from bench import fixtures
    from bench.floor import FLOOR_URL

    items, _hot = fixtures.sale_products_ensure(2_000)
    fixtures.restock_if_low(items)
    (clerk,) = fixtures.clerks_ensure(1)
    client = Client(HTTP_AUTHORIZATION=f"Token {clerk.token}", HTTP_HOST="127.0.0.1")
    url = API_URL if args.path == "ours" else FLOOR_URL
    rng = random.Random(1)
    stamp = time.strftime("%y%m%d%H%M%S")

    def sale(n: int) -> None:
        lines = [{"sku": i.sku, "qty": rng.randint(1, 3)} for i in rng.sample(items, 3)]
        body = {"lines": lines, "idempotency_key": f"prof-{stamp}-{args.path}-{n}"}
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content

    for n in range(50):  # warm: imports, connection, caches
        sale(-n - 1)
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits
    cpu = time.process_time()
    profiler.enable()
    for n in range(args.sales):
        sale(n)
    profiler.disable()
    cpu_ms = (time.process_time() - cpu) * 1000 / args.sales
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"{args.path}: {args.sales} sales, {cpu_ms:.2f} ms CPU per sale (profiled)")
    print()
    print("| function | calls/sale | own ms/sale | cumulative ms/sale |")
    print("|---|---|---|---|")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3], reverse=True)
    for (file, line, name), (_cc, calls, own, cum, _callers) in rows[: args.top]:
        where = file.split("site-packages/")[-1].split("/work/")[-1]
        print(
            f"| `{where}:{line} {name}` | {calls / args.sales:.1f}"
            f" | {own * 1000 / args.sales:.2f} | {cum * 1000 / args.sales:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
