"""5. Replenish: `replenish` over 5,000 and 50,000 products with 20 sale lines
each in the 28-day window (100,000 and 1,000,000 ledger rows), each size in
its own database so the rule covers exactly that catalogue. Per size: the
first run (every draft line created), a second run (nothing to change), the
queries each makes and the peak memory of its process; the ceiling is the
rule's read side as one SQL statement streamed with COPY.

The data is test data: products through the ORM, then the ledger written with
INSERT ... SELECT generate_series (an opening `import` row per product and the
`sale` rows), so that stock = the sum of each product's movements."""

import datetime
import time
from urllib.parse import urlsplit, urlunsplit

from psycopg import sql

from bench import db
from bench.children_run import run_child
from bench.config import Plan
from bench.stats import median, ratio

DAY = datetime.date(2025, 3, 1)  # replenish --date: the window is February
LINES_PER_PRODUCT = 20
TARGET_SECONDS = 5.0
TARGET_GROWTH_MB = 20.0
TABLES = (
    "inventory_product",
    "inventory_supplier",
    "inventory_stockmovement",
    "purchasing_purchaseorder",
    "purchasing_purchaseorderline",
)

CEILING = """
WITH s AS (
    SELECT product_id, -sum(delta) AS sold FROM inventory_stockmovement
    WHERE reason IN ('sale', 'void', 'return')
      AND created_at >= {start} AND created_at < {end}
    GROUP BY product_id
), o AS (
    SELECT l.product_id, sum(greatest(l.ordered - l.received, 0)) AS on_order
    FROM purchasing_purchaseorderline l
    JOIN purchasing_purchaseorder po ON po.id = l.order_id
    WHERE po.status IN ('sent', 'partial')
    GROUP BY l.product_id
), r AS (
    SELECT p.id, p.supplier_id, p.cost, p.stock, p.reorder_point, p.pack_size,
           p.par_level, greatest(coalesce(s.sold, 0), 0) AS sold,
           coalesce(o.on_order, 0) AS on_order, su.lead_time_days AS lead
    FROM inventory_product p
    JOIN inventory_supplier su ON su.id = p.supplier_id
    LEFT JOIN s ON s.product_id = p.id
    LEFT JOIN o ON o.product_id = p.id
    WHERE p.is_active
), t AS (
    SELECT *, greatest(par_level, (sold * (lead + 7) + 27) / 28) AS target FROM r
)
SELECT supplier_id, id,
       (greatest(target - stock - on_order, 0) + pack_size - 1)
       / pack_size * pack_size,
       cost
FROM t
WHERE (stock + on_order <= reorder_point OR stock * 28 < sold * lead)
  AND target - stock - on_order > 0
ORDER BY supplier_id, id
"""


def database_url(url: str, products: int) -> str:
    parts = urlsplit(url)
    name = f"{db.database_name(url)}_replenish_{products}"
    return urlunsplit(parts._replace(path=f"/{name}"))


def ceiling(url: str) -> float:
    start, end = _window()
    statement = sql.SQL("COPY ({}) TO STDOUT").format(
        sql.SQL(CEILING).format(start=sql.Literal(start), end=sql.Literal(end))
    )
    with db.connect(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        with cur.copy(statement) as copy:
            for _block in copy:
                pass
        return time.perf_counter() - started


def _window() -> tuple[datetime.datetime, datetime.datetime]:
    from inventory.selectors import demand_window

    return demand_window(DAY)


def step(plan: Plan, url: str, env: dict[str, str]) -> dict:
    rows = []
    for products in plan.replenish_products:
        size_url = database_url(url, products)
        size_env = env | {"DATABASE_URL": size_url}
        db.database_ensure(size_url, size_env)
        filled = run_child(
            size_env, "replenish-fill", str(products), str(LINES_PER_PRODUCT)
        )
        print(
            f"  replenish {products:,} products: {filled['sale_lines']:,} sale lines"
            f" in the window",
            flush=True,
        )
        db.vacuum_analyze(size_url, TABLES)
        ceiling(size_url)  # warm the cache for both contenders
        first, again, raw = [], [], []
        for _ in range(plan.repeats):
            raw.append(ceiling(size_url))
            first.append(run_child(size_env, "replenish", DAY.isoformat(), "fresh"))
            again.append(run_child(size_env, "replenish", DAY.isoformat(), "again"))
        row = _row(products, filled["sale_lines"], first, again, raw)
        _print_row(row)
        rows.append(row)
    return {"rows": rows, "targets": _targets(rows)}


def _row(products, lines, first, again, raw) -> dict:
    first_s = median([r["seconds"] for r in first])
    return {
        "products": products,
        "sale_lines": lines,
        "first_s": first_s,
        "again_s": median([r["seconds"] for r in again]),
        "raw_s": median(raw),
        "ratio": ratio(first_s, median(raw)),
        "queries_first": max(r["queries"] for r in first),
        "queries_again": max(r["queries"] for r in again),
        "draft_lines": first[-1]["draft_lines"],
        "drafts": first[-1]["drafts"],
        "peak_mb": median([r["peak_mb"] for r in first]),
        "baseline_mb": median([r["baseline_mb"] for r in first]),
        "runs": len(first),
    }


def _print_row(row: dict) -> None:
    print(
        f"  replenish {row['products']:>6,} products: first {row['first_s']:.2f} s"
        f" ({row['queries_first']} queries, {row['draft_lines']:,} lines in"
        f" {row['drafts']} drafts), again {row['again_s']:.2f} s"
        f" ({row['queries_again']} queries), raw SQL {row['raw_s']:.2f} s,"
        f" ratio {row['ratio']:.1f}x, peak {row['peak_mb']:.0f} MB"
        f" (baseline {row['baseline_mb']:.0f} MB)",
        flush=True,
    )


def _targets(rows: list[dict]) -> list[dict]:
    largest = max(rows, key=lambda r: r["products"])
    smallest = min(rows, key=lambda r: r["products"])
    growth = largest["peak_mb"] - smallest["peak_mb"]
    at = f"{largest['products']:,} products, {largest['sale_lines']:,} sale lines"
    queries = sorted(
        {r["queries_first"] for r in rows} | {r["queries_again"] for r in rows}
    )
    return [
        {
            "name": f"replenish over {at} < 5 s",
            "value": largest["first_s"],
            "limit": TARGET_SECONDS,
            "unit": "s",
            "ok": largest["first_s"] < TARGET_SECONDS,
        },
        {
            "name": "a few queries, not one per product or draft line",
            "value": " / ".join(
                f"{r['products']:,}: {r['queries_first']} then {r['queries_again']}"
                for r in rows
            ),
            "limit": "few",
            "unit": "",
            "ok": max(queries) <= 10 + largest["draft_lines"] // 1000 * 3,
        },
        {
            "name": f"peak memory growth from {smallest['products']:,} to "
            f"{largest['products']:,} products",
            "value": growth,
            "limit": TARGET_GROWTH_MB,
            "unit": "MB",
            "ok": growth <= TARGET_GROWTH_MB,
        },
    ]
