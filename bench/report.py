"""2. Report build: a past day with 10k, 100k and 1M sale lines; the time and
peak memory of report_build (all its files), each in a fresh process, and
the same aggregation in raw SQL streamed with COPY ... TO STDOUT (the ceiling).

The days are test data written straight into sales_sale/sales_saleline with
INSERT ... SELECT generate_series: no stock or ledger change, once per size."""

import datetime
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from psycopg import sql

from bench import db, fixtures
from bench.children_run import run_child
from bench.config import Plan
from bench.stats import median, ratio

DAYS = {
    10_000: datetime.date(2025, 1, 6),
    100_000: datetime.date(2025, 1, 7),
    1_000_000: datetime.date(2025, 1, 8),
}
LARGEST = 1_000_000
TARGET_RATIO = 3.0
TARGET_GROWTH_MB = 50.0

FILL = """
WITH p AS (
    SELECT id, price, cost, row_number() OVER (ORDER BY id) - 1 AS n
    FROM inventory_product WHERE sku LIKE %(prefix)s
), s AS (
    INSERT INTO sales_sale (created_at, clerk_id, channel, status, total,
                            idempotency_key, voided_at, voided_by_id, void_reason)
    SELECT %(start)s + g * (interval '86399 seconds' / %(sales)s), %(clerk)s,
           'kiosk', CASE WHEN g %% 100 = 99 THEN 'voided' ELSE 'completed' END,
           0, '', NULL, NULL, ''
    FROM generate_series(0, %(sales)s - 1) AS g
    RETURNING id
)
INSERT INTO sales_saleline (sale_id, product_id, quantity, unit_price, unit_cost,
                            line_total)
SELECT s.id, p.id, 1 + (s.id + k) %% 3, p.price, p.cost,
       p.price * (1 + (s.id + k) %% 3)
FROM s CROSS JOIN generate_series(0, 2) AS k
JOIN p ON p.n = (s.id * 3 + k) %% %(products)s
"""
TOTALS = """
UPDATE sales_sale AS s SET total = t.total
FROM (SELECT l.sale_id, sum(l.line_total) AS total
      FROM sales_saleline l JOIN sales_sale x ON x.id = l.sale_id
      WHERE x.created_at >= %(start)s AND x.created_at < %(end)s
      GROUP BY l.sale_id) AS t
WHERE s.id = t.sale_id
"""
VOIDED = """
UPDATE sales_sale SET voided_at = created_at + interval '1 minute',
                      voided_by_id = clerk_id
WHERE created_at >= %(start)s AND created_at < %(end)s AND status = 'voided'
"""
LINES_OF_DAY = """
SELECT count(*) FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id
WHERE s.created_at >= %(start)s AND s.created_at < %(end)s
"""

# The ceiling: what the report reads, as plain SQL, each streamed as CSV.
CEILING = {
    "products": """
        SELECT p.sku, p.name, t.qty, t.revenue, t.cost, t.revenue - t.cost,
               p.stock, p.reorder_point
        FROM (SELECT l.product_id, sum(l.quantity) AS qty,
                     sum(l.line_total) AS revenue,
                     sum(l.unit_cost * l.quantity) AS cost
              FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id
              WHERE s.status = 'completed'
                AND s.created_at >= {start} AND s.created_at < {end}
              GROUP BY l.product_id) AS t
        JOIN inventory_product p ON p.id = t.product_id
        ORDER BY t.revenue DESC, p.sku""",
    "totals": """
        SELECT count(*) FILTER (WHERE status = 'completed'),
               coalesce(sum(total) FILTER (WHERE status = 'completed'), 0),
               count(*) FILTER (WHERE status <> 'completed'),
               coalesce(sum(total) FILTER (WHERE status <> 'completed'), 0)
        FROM sales_sale WHERE created_at >= {start} AND created_at < {end}""",
    "by_hour": """
        SELECT extract(hour FROM created_at AT TIME ZONE {zone}) AS hour,
               count(*), sum(total)
        FROM sales_sale
        WHERE status = 'completed' AND created_at >= {start} AND created_at < {end}
        GROUP BY 1 ORDER BY 1""",
    "restock": """
        SELECT p.sku, p.name, p.stock, p.reorder_point, p.par_level,
               greatest(p.par_level - p.stock, 0),
               coalesce(su.name, '') AS supplier, coalesce(su.email, '')
        FROM inventory_product p
        LEFT JOIN inventory_supplier su ON su.id = p.supplier_id
        WHERE p.is_active AND p.stock <= p.reorder_point
        ORDER BY supplier, p.sku""",
    "payments": """
        SELECT payment, count(*), sum(total)
        FROM sales_sale
        WHERE status = 'completed' AND created_at >= {start} AND created_at < {end}
        GROUP BY payment""",
    "returns": """
        SELECT l.product_id, sum(rl.quantity), sum(rl.line_total),
               sum(l.unit_cost * rl.quantity)
        FROM sales_returnline rl
        JOIN sales_return r ON r.id = rl.sale_return_id
        JOIN sales_saleline l ON l.id = rl.sale_line_id
        WHERE r.created_at >= {start} AND r.created_at < {end}
        GROUP BY l.product_id""",
    "refunds": """
        SELECT refund_method, sum(total) FROM sales_return
        WHERE created_at >= {start} AND created_at < {end}
        GROUP BY refund_method""",
    "shifts": """
        SELECT s.id, u.username, s.opened_at, s.closed_at, s.opening_float,
               s.expected_cash, s.counted_cash, s.difference
        FROM sales_shift s JOIN auth_user u ON u.id = s.clerk_id
        WHERE (s.opened_at >= {start} AND s.opened_at < {end})
           OR (s.closed_at >= {start} AND s.closed_at < {end})
        ORDER BY s.opened_at, s.id""",
}


@dataclass(frozen=True)
class Day:
    lines: int
    date: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.datetime.combine(self.date, datetime.time.min, tzinfo=zone)
        return start, start + datetime.timedelta(days=1)


def fill(conn: psycopg.Connection, day: Day, *, products: int, clerk: int) -> int:
    """Make the day hold `lines` sale lines (3 per sale, 1 % voided), once."""
    start, end = day.bounds
    sales = -(-day.lines // 3)
    span = {"start": start, "end": end}
    have = conn.execute(LINES_OF_DAY, span).fetchone()[0]
    if have == sales * 3:
        return have
    with conn.transaction():
        conn.execute(
            "DELETE FROM sales_saleline l USING sales_sale s WHERE s.id = l.sale_id"
            " AND s.created_at >= %(start)s AND s.created_at < %(end)s",
            span,
        )
        conn.execute(
            "DELETE FROM sales_sale"
            " WHERE created_at >= %(start)s AND created_at < %(end)s",
            span,
        )
        conn.execute(
            FILL,
            span
            | {
                "prefix": fixtures.SALE_PREFIX + "0%",
                "sales": sales,
                "clerk": clerk,
                "products": products,
            },
        )
        conn.execute(TOTALS, span)
        conn.execute(VOIDED, span)
    return conn.execute(LINES_OF_DAY, span).fetchone()[0]


def ceiling(conn: psycopg.Connection, day: Day) -> tuple[float, int]:
    """Seconds and bytes to stream the report's aggregations as CSV."""
    start, end = day.bounds
    values = {
        "start": sql.Literal(start),
        "end": sql.Literal(end),
        "zone": sql.Literal(settings.TIME_ZONE),
    }
    size = 0
    started = time.perf_counter()
    with conn.cursor() as cur:
        for query in CEILING.values():
            statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
                sql.SQL(query).format(**values)
            )
            with cur.copy(statement) as copy:
                for block in copy:
                    size += len(block)
    return time.perf_counter() - started, size


def build(env: dict[str, str], day: Day) -> dict:
    result = run_child(env, "report", day.date.isoformat())
    if result["status"] != "done":
        raise RuntimeError(f"report for {day.date} ended {result['status']}")
    return result


def step(plan: Plan, url: str, env: dict[str, str]) -> dict:
    items, _ = fixtures.sale_products_ensure(plan.sale_products)
    clerk = fixtures.clerks_ensure(1)[0]
    days = [Day(lines, DAYS[lines]) for lines in plan.report_lines]
    rows = []
    with db.connect(url) as conn:
        for day in days:
            filled = fill(conn, day, products=len(items), clerk=clerk.user_id)
            print(f"  report day {day.date}: {filled:,} sale lines", flush=True)
    db.vacuum_analyze(url)
    with db.connect(url) as conn:
        for day in days:
            ceiling(conn, day)  # warm the cache for both contenders
            raw, builds = [], []
            for _ in range(plan.repeats):
                raw.append(ceiling(conn, day)[0])
                builds.append(build(env, day))
            row = _row(day, raw, builds)
            _print_row(row)
            rows.append(row)
    return {"rows": rows, "targets": _targets(rows)}


def _row(day: Day, raw: list[float], builds: list[dict]) -> dict:
    build_s = median([b["seconds"] for b in builds])
    raw_s = median(raw)
    return {
        "lines": day.lines,
        "day": day.date.isoformat(),
        "build_s": build_s,
        "raw_s": raw_s,
        "ratio": ratio(build_s, raw_s),
        "peak_mb": median([b["peak_mb"] for b in builds]),
        "baseline_mb": median([b["baseline_mb"] for b in builds]),
        "runs": len(builds),
    }


def _print_row(row: dict) -> None:
    print(
        f"  report {row['lines']:>9,} lines: build {row['build_s']:.2f} s,"
        f" raw SQL {row['raw_s']:.3f} s, ratio {row['ratio']:.1f}x,"
        f" peak {row['peak_mb']:.0f} MB (baseline {row['baseline_mb']:.0f} MB)",
        flush=True,
    )


def _targets(rows: list[dict]) -> list[dict]:
    largest = max(rows, key=lambda r: r["lines"])
    smallest = min(rows, key=lambda r: r["lines"])
    growth = largest["peak_mb"] - smallest["peak_mb"]
    at = f"{largest['lines']:,} lines"
    return [
        {
            "name": f"build time at {at} <= 3x raw SQL",
            "value": largest["ratio"],
            "limit": TARGET_RATIO,
            "unit": "x",
            # Judged at 1M lines only: at small sizes a fixed cost dominates.
            "ok": largest["ratio"] <= TARGET_RATIO
            if largest["lines"] >= LARGEST
            else None,
        },
        {
            "name": f"peak memory growth from {smallest['lines']:,} to {at}",
            "value": growth,
            "limit": TARGET_GROWTH_MB,
            "unit": "MB",
            "ok": growth <= TARGET_GROWTH_MB,
        },
    ]
