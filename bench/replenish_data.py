"""The replenish bench's catalogue and ledger, made once per database (in a
child process whose DATABASE_URL is that database). The sales are written in
time order, as a store writes them, so one product's rows are spread over
the whole table, not stored side by side."""

from decimal import Decimal

from django.db import connection, transaction

from bench.replenish import DAY
from inventory.models import Product, StockMovement, Supplier
from inventory.selectors import demand_window

SUPPLIERS = 20
PREFIX = "RP-"
PACKS = (1, 6, 12, 24)
WINDOW_SECONDS = 28 * 24 * 3600

SALES = """
INSERT INTO inventory_stockmovement
    (product_id, delta, reason, ref, note, user_id, created_at, stock_after)
SELECT p.id, -(1 + g %% 2), 'sale', 'bench', '', NULL,
       %(start)s + ((p.id * 7919 + g * 104729) %% %(span)s) * interval '1 second',
       p.stock
FROM inventory_product p CROSS JOIN generate_series(0, %(per)s - 1) AS g
WHERE p.sku LIKE %(prefix)s
ORDER BY 7
"""
OPENING = """
INSERT INTO inventory_stockmovement
    (product_id, delta, reason, ref, note, user_id, created_at, stock_after)
SELECT p.id, p.stock + s.sold, 'import', 'bench opening', '', NULL,
       %(start)s - interval '1 day', p.stock + s.sold
FROM inventory_product p
JOIN (SELECT product_id, -sum(delta) AS sold FROM inventory_stockmovement
      WHERE reason = 'sale' GROUP BY product_id) AS s ON s.product_id = p.id
WHERE p.sku LIKE %(prefix)s
"""


def _product(i: int, suppliers: list[Supplier]) -> Product:
    reorder_point = 5 + i % 10
    if i % 5 == 0:
        stock = reorder_point // 2  # low
    elif i % 5 == 1:
        stock = 3  # above some reorder points, but days of cover < lead time
    else:
        stock = 40 + i % 60
    price = Decimal(f"{2 + i % 30}.90")
    return Product(
        sku=f"{PREFIX}{i:06d}",
        name=f"Replenish item {i}",
        supplier=suppliers[i % len(suppliers)],
        price=price,
        cost=(price * Decimal("0.6")).quantize(Decimal("0.01")),
        stock=stock,
        reorder_point=reorder_point,
        par_level=reorder_point * 3,
        pack_size=PACKS[i % len(PACKS)],
    )


def fill(products: int, per_product: int) -> dict:
    """`products` products, each with `per_product` sale rows in the window
    and an opening row before it; once (a filled database is left as it is)."""
    start, _ = demand_window(DAY)
    if Product.objects.filter(sku__startswith=PREFIX).count() != products:
        with transaction.atomic():
            suppliers = [
                Supplier.objects.update_or_create(
                    name=f"Bench supplier {n:02d}",
                    defaults={
                        "email": f"orders{n:02d}@bench.example",
                        "lead_time_days": 1 + n % 7,
                    },
                )[0]
                for n in range(SUPPLIERS)
            ]
            StockMovement.objects.all().delete()
            Product.objects.all().delete()
            Product.objects.bulk_create(
                (_product(i, suppliers) for i in range(1, products + 1)),
                batch_size=5000,
            )
            params = {
                "start": start,
                "span": WINDOW_SECONDS,
                "per": per_product,
                "prefix": PREFIX + "%",
            }
            with connection.cursor() as cursor:
                cursor.execute(SALES, params)
                cursor.execute(OPENING, params)
    lines = StockMovement.objects.filter(reason="sale", created_at__gte=start).count()
    return {"sale_lines": lines}
