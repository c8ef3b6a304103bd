"""7. Perishables: what tracking expiry costs a kiosk sale. In the same run and
this process, alternating, sales (sales.services.sale_create, channel kiosk:
what POST /api/sales/ calls) of 1 and of 3 lines, of products that track
expiry (three lots each, the sale taking first-expiring-first-out, across
lots as their units run out) and of products that do not: queries and time
per sale. The target: at most one query more per line (docs/perishables.md
says one per sale)."""

import datetime
import time

from django.db import connection

from bench import db
from bench.config import Plan
from bench.stats import median, percentile

LOT_UNITS = 4_000  # per lot: three lots hold any run's sales
TABLES = (
    "inventory_product",
    "inventory_lot",
    "inventory_lotmovement",
    "inventory_stockmovement",
    "sales_sale",
    "sales_saleline",
)


def _products(tracked: bool) -> list:
    """Three products of each kind, stocked (three lots each if tracked)."""
    from inventory.models import Product
    from inventory.perishables import product_tracking_set
    from inventory.services import stock_receive
    from pitstop.clock import store_today

    kind = "PER" if tracked else "PLN"
    products = []
    for n in range(3):
        product, _ = Product.objects.get_or_create(
            sku=f"BENCH-{kind}-{n}",
            defaults={"name": f"Bench {kind} {n}", "price": "4.50", "cost": "2.00"},
        )
        if product.tracks_expiry != tracked:
            product_tracking_set(product_id=product.pk, tracks=tracked)
        if product.stock < 3 * LOT_UNITS:
            # Tracked: three lots, a week apart; untracked: one delivery.
            for days in (3, 6, 9) if tracked else (None,):
                expiry = store_today() + datetime.timedelta(days) if days else None
                stock_receive(
                    supplier=None,
                    quantities={product.pk: LOT_UNITS if tracked else 3 * LOT_UNITS},
                    expires_on={product.pk: expiry} if expiry else None,
                    reference="bench",
                )
        product.refresh_from_db()
        products.append(product)
    return products


def _sell(clerk, lines: list[tuple[str, int]]) -> tuple[int, float]:
    from sales.models import Sale
    from sales.services import sale_create

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        sale_create(clerk=clerk, lines=lines, channel=Sale.Channel.KIOSK)
        elapsed = time.perf_counter() - started
    return queries, elapsed * 1000


def step(plan: Plan, url: str, env: dict[str, str]) -> dict:
    from django.contrib.auth import get_user_model

    clerk, _ = get_user_model().objects.get_or_create(username="bench-kiosk")
    kinds = {False: _products(tracked=False), True: _products(tracked=True)}
    db.vacuum_analyze(url, TABLES)
    sales = 200 if plan.quick else 1_000
    samples: dict[tuple[bool, int], list[tuple[int, float]]] = {}
    for n in range(sales + 20):  # the first 20 rounds warm up, not counted
        for lines in (1, 3):
            for tracked, products in kinds.items():
                sold = [(p.sku, 1 + (n % 3)) for p in products[:lines]]
                result = _sell(clerk, sold)
                if n >= 20:
                    samples.setdefault((tracked, lines), []).append(result)
    rows = []
    for (tracked, lines), results in sorted(samples.items()):
        ms = [elapsed for _q, elapsed in results]
        rows.append(
            {
                "tracked": tracked,
                "lines": lines,
                "sales": len(results),
                "queries": max(q for q, _ms in results),
                "median_ms": median(ms),
                "p90_ms": percentile(ms, 90),
            }
        )
    for row in rows:
        print(
            f"  perishables {'tracked' if row['tracked'] else 'untracked'}"
            f" {row['lines']} line(s): {row['queries']} queries,"
            f" {row['median_ms']:.2f} ms median, {row['p90_ms']:.2f} ms p90",
            flush=True,
        )
    return {"rows": rows, "sales": sales, "targets": _targets(rows)}


def _targets(rows: list[dict]) -> list[dict]:
    by = {(r["tracked"], r["lines"]): r for r in rows}
    targets = []
    for lines in (1, 3):
        extra = by[True, lines]["queries"] - by[False, lines]["queries"]
        targets.append(
            {
                "name": f"extra queries, a tracked sale of {lines} line(s)",
                "value": extra,
                "unit": f"(at most {lines})",
                "ok": extra <= lines,
            }
        )
    return targets
