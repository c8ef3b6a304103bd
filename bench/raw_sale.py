"""The kiosk sale's writes as plain SQL, and nothing else: the same statements
for the raw psycopg ceiling (a psycopg cursor) and the framework floor (Django's
cursor inside a DRF view, bench.floor), so that only what wraps them differs."""

from decimal import Decimal

LOCK = (
    "UPDATE inventory_product SET stock = stock - %s"
    " WHERE sku = %s AND stock >= %s RETURNING id, stock, price, cost"
)
SALE = (
    "INSERT INTO sales_sale (created_at, clerk_id, channel, status, total,"
    " idempotency_key, void_reason)"
    " VALUES (now(), %s, 'kiosk', 'completed', %s, %s, '') RETURNING id"
)
LINE = (
    "INSERT INTO sales_saleline (sale_id, product_id, quantity, unit_price,"
    " unit_cost, line_total, returned_quantity) VALUES (%s, %s, %s, %s, %s, %s, 0)"
)
MOVE = (
    "INSERT INTO inventory_stockmovement (product_id, delta, reason, ref, note,"
    " user_id, created_at, stock_after)"
    " VALUES (%s, %s, 'sale', %s, '', %s, now(), %s)"
)


def sale_statements(
    cur, clerk_id: int, lines: list[tuple[str, int]], key: str
) -> tuple[int, Decimal] | None:
    """Conditional stock updates in sku order (each locks its row: one order
    for every client, so no deadlock), the sale, its lines, its ledger rows.
    None when a line lacks stock: the caller rolls back. `cur` is a DB-API
    cursor in a transaction (psycopg's, or Django's wrapper of it)."""
    locked: list[tuple[int, int, int, Decimal, Decimal]] = []
    for sku, qty in sorted(lines):
        cur.execute(LOCK, (qty, sku, qty))
        row = cur.fetchone()
        if row is None:  # not enough stock: the whole sale is refused
            return None
        locked.append((qty, *row))
    total = sum(price * qty for qty, _, _, price, _ in locked)
    cur.execute(SALE, (clerk_id, total, key))
    sale_id = cur.fetchone()[0]
    cur.executemany(
        LINE,
        [
            (sale_id, pk, qty, price, cost, price * qty)
            for qty, pk, _, price, cost in locked
        ],
    )
    cur.executemany(
        MOVE,
        [(pk, -qty, str(sale_id), clerk_id, stock) for qty, pk, stock, _, _ in locked],
    )
    return sale_id, total
