import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from inventory.exceptions import InsufficientStock
from inventory.models import LowStockAlert, Product, StockMovement
from inventory.services import stock_count, stock_receive
from sales.exceptions import IdempotencyKeyReused, InvalidSale, SaleNotVoidable
from sales.models import Sale
from sales.selectors import product_by_code
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def state():
    """Everything a sale may change, to prove a refused one changed nothing."""
    return (
        list(Product.objects.order_by("pk").values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
        LowStockAlert.objects.count(),
    )


def test_selling_takes_stock_down_and_keeps_the_price_it_was_sold_at(clerk):
    cola = ProductFactory(sku="COLA", price=Decimal("5.50"), stock=10)
    chips = ProductFactory(sku="CHIPS", price=Decimal("11.90"), stock=4)

    sale, created = sale_create(clerk=clerk, lines=[("COLA", 1), ("CHIPS", 2)])

    assert created
    assert sale.total == Decimal("29.30")
    cola.refresh_from_db()
    chips.refresh_from_db()
    assert (cola.stock, chips.stock) == (9, 2)
    assert [
        (line.product.sku, line.quantity, line.unit_price) for line in sale.lines.all()
    ] == [
        ("COLA", 1, Decimal("5.50")),
        ("CHIPS", 2, Decimal("11.90")),
    ]
    cola.price = Decimal("6.00")
    cola.save()
    assert sale.lines.get(product=cola).unit_price == Decimal("5.50")
    moves = StockMovement.objects.filter(reason="sale", ref=str(sale.pk))
    assert sorted(moves.values_list("delta", flat=True)) == [-2, -1]


def test_a_clerk_can_sell_the_last_unit(clerk):
    product = ProductFactory(stock=1)

    sale_create(clerk=clerk, lines=[(product.sku, 1)])

    product.refresh_from_db()
    assert product.stock == 0


def test_the_same_sku_twice_is_one_line(clerk):
    product = ProductFactory(stock=10)

    sale, _ = sale_create(clerk=clerk, lines=[(product.sku, 2), (product.sku, 3)])

    assert list(sale.lines.values_list("quantity", flat=True)) == [5]


def test_the_sale_is_refused_whole_when_one_line_lacks_stock(clerk):
    ProductFactory(sku="COLA", stock=10)
    ProductFactory(sku="CHIPS", name="Chips", stock=1)
    before = state()

    with pytest.raises(InsufficientStock) as refused:
        sale_create(clerk=clerk, lines=[("COLA", 2), ("CHIPS", 3)])

    assert (refused.value.sku, refused.value.available, refused.value.wanted) == (
        "CHIPS",
        1,
        3,
    )
    assert (
        str(refused.value)
        == "Not enough stock of Chips (CHIPS): 1 available, 3 wanted."
    )
    assert state() == before


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([("NOPE", 1)], "No product on sale with the code NOPE"),
        ([("OFF", 1)], "No product on sale with the code OFF"),
        ([("COLA", 0)], "whole number from 1 to 999"),
        ([("COLA", 1000)], "whole number from 1 to 999"),
        ([("COLA", 1.5)], "whole number from 1 to 999"),
        ([("COLA", "2")], "whole number from 1 to 999"),
        ([("COLA", True)], "whole number from 1 to 999"),
        ([("COLA", 600), ("COLA", 600)], "adds up to 1200"),
        ([("", 1)], "needs a product code"),
        ([("COLA", 1)] * 101, "at most 100 lines"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(clerk, lines, message):
    ProductFactory(sku="COLA", stock=5000 // 5)
    ProductFactory(sku="OFF", stock=5, is_active=False)
    before = state()

    with pytest.raises(InvalidSale, match=message):
        sale_create(clerk=clerk, lines=lines)

    assert state() == before


def test_a_known_idempotency_key_returns_the_same_sale_without_selling_again(clerk):
    product = ProductFactory(stock=10)

    first, created = sale_create(
        clerk=clerk, lines=[(product.sku, 2)], idempotency_key="k1"
    )
    again, created_again = sale_create(
        clerk=clerk, lines=[(product.sku, 2)], idempotency_key="k1"
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    product.refresh_from_db()
    assert product.stock == 8


def test_an_idempotency_key_cannot_be_reused_for_other_lines(clerk):
    product = ProductFactory(stock=10)
    sale_create(clerk=clerk, lines=[(product.sku, 2)], idempotency_key="k1")

    with pytest.raises(IdempotencyKeyReused):
        sale_create(clerk=clerk, lines=[(product.sku, 3)], idempotency_key="k1")


def test_one_crossing_opens_one_alert_and_a_receipt_above_closes_it(clerk):
    product = ProductFactory(stock=6, reorder_point=3, par_level=12)

    sale_create(clerk=clerk, lines=[(product.sku, 2)])  # 4: still above
    assert not LowStockAlert.objects.exists()
    sale_create(clerk=clerk, lines=[(product.sku, 1)])  # 3: crossed
    sale_create(clerk=clerk, lines=[(product.sku, 1)])  # 2: still low
    sale_create(clerk=clerk, lines=[(product.sku, 2)])  # 0
    (alert,) = LowStockAlert.objects.all()
    assert (alert.is_open, alert.stock_at_open, alert.reorder_point) == (True, 3, 3)

    stock_receive(supplier=None, quantities={product.pk: 2})  # 2: still low
    assert LowStockAlert.objects.get().is_open
    stock_receive(supplier=None, quantities={product.pk: 10})  # 12: above
    alert.refresh_from_db()
    assert not alert.is_open

    sale_create(clerk=clerk, lines=[(product.sku, 9)])  # 3: crossed again
    assert LowStockAlert.objects.filter(closed_at__isnull=True).count() == 1
    assert LowStockAlert.objects.count() == 2


def test_a_crossing_writes_its_low_stock_event_after_commit(
    clerk, reports_storage, django_capture_on_commit_callbacks
):
    product = ProductFactory(sku="COLA", stock=4, reorder_point=3)

    with django_capture_on_commit_callbacks() as queued:
        sale, _ = sale_create(clerk=clerk, lines=[("COLA", 1)])
    assert not (reports_storage / "events").exists()  # nothing inside the sale
    for callback in queued:
        callback()

    (day,) = (reports_storage / "events" / "low-stock").iterdir()
    assert [p.name for p in day.iterdir()] == [f"COLA-{sale.pk}.json"]
    event = json.loads((day / f"COLA-{sale.pk}.json").read_text())
    assert event["opened_at"].endswith("-03:00")  # the store's clock
    assert event["product"] == {
        "sku": "COLA",
        "name": product.name,
        "stock": 3,
        "reorder_point": 3,
        "par_level": product.par_level,
        "suggested_qty": product.par_level - 3,
        "on_order": 0,
        "velocity": "0.00",  # nothing sold in the 28 days before today
        "days_of_cover": None,
        "pack_size": 1,
        "supplier": product.supplier.name,
        "supplier_email": product.supplier.email,
        "lead_time_days": product.supplier.lead_time_days,
    }
    assert product.low_stock_alerts.count() == 1


def test_a_stocktake_that_crosses_opens_an_alert_too(manager):
    product = ProductFactory(stock=10, reorder_point=3)

    stock_count(counts={product.pk: 2}, note="breakage", user=manager)

    assert product.low_stock_alerts.get().is_open


def test_a_void_puts_the_stock_back_once(clerk, manager):
    product = ProductFactory(stock=10)
    sale, _ = sale_create(clerk=clerk, lines=[(product.sku, 4)])

    sale_void(sale_id=sale.pk, user=manager, reason="customer changed mind")

    product.refresh_from_db()
    sale.refresh_from_db()
    assert product.stock == 10
    assert (sale.status, sale.voided_by, sale.void_reason) == (
        "voided",
        manager,
        "customer changed mind",
    )
    assert product.movements.aggregate(s=Sum("delta"))["s"] == 10
    with pytest.raises(SaleNotVoidable, match="already voided"):
        sale_void(sale_id=sale.pk, user=manager, reason="again")
    product.refresh_from_db()
    assert product.stock == 10


def test_only_managers_void_and_always_with_a_reason(clerk, manager):
    product = ProductFactory(stock=10)
    sale, _ = sale_create(clerk=clerk, lines=[(product.sku, 4)])

    with pytest.raises(PermissionDenied):
        sale_void(sale_id=sale.pk, user=clerk, reason="oops")
    with pytest.raises(SaleNotVoidable, match="why"):
        sale_void(sale_id=sale.pk, user=manager, reason="  ")

    sale.refresh_from_db()
    assert sale.status == "completed"


def test_a_scanned_barcode_wins_over_another_products_sku():
    ProductFactory(sku="7891000000014")
    cola = ProductFactory(sku="COLA", barcode="7891000000014")

    assert product_by_code("7891000000014") == cola
    assert product_by_code(" COLA ") == cola
    assert product_by_code("NOPE") is None


def test_no_event_is_written_for_an_alert_closed_before_the_task_ran(
    clerk, reports_storage, django_capture_on_commit_callbacks
):
    product = ProductFactory(sku="COLA", stock=4, reorder_point=3)
    with django_capture_on_commit_callbacks() as queued:
        sale_create(clerk=clerk, lines=[("COLA", 1)])
    stock_receive(supplier=None, quantities={product.pk: 10})

    for callback in queued:
        callback()

    assert not (reports_storage / "events").exists()


def test_a_retried_sale_gets_its_sale_back_even_once_its_product_is_withdrawn(clerk):
    cola = ProductFactory(sku="DRK-001", price="5.50", stock=9)
    first, created = sale_create(
        clerk=clerk, lines=[("DRK-001", 2)], idempotency_key="k"
    )
    Product.objects.filter(pk=cola.pk).update(is_active=False)

    again, created_again = sale_create(
        clerk=clerk, lines=[("DRK-001", 2)], idempotency_key="k"
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    cola.refresh_from_db()
    assert cola.stock == 7
