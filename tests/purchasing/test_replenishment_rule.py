"""The replenishment rule (DESIGN.md) on known histories: velocity over the
last 28 complete store days net of voids, days of cover, on order, target,
needs ordering and the pack-rounded suggestion, all from with_replenishment."""

import datetime
from decimal import Decimal

import pytest

from inventory.models import Product
from inventory.selectors import low_stock_item, with_replenishment
from tests.factories import ProductFactory, SupplierFactory
from tests.purchasing.conftest import on_order, sell, sell_daily

CASES = [
    # id, product, lead time, units sold a day for 28 days, on order (sent),
    # then: velocity, days of cover, on_order, target, needs ordering, suggested
    pytest.param(
        {"stock": 2, "reorder_point": 3, "par_level": 20},
        2,
        0,
        0,
        ("0.00", None, 0, 20, True, 18),
        id="no sales: back up to the par level",
    ),
    pytest.param(
        {"stock": 4, "reorder_point": 3, "par_level": 12},
        3,
        2,
        0,
        ("2.00", "2.0", 0, 20, True, 16),
        id="fast seller, lead time 3: velocity x (3 + 7) beats the par level",
    ),
    pytest.param(
        {"stock": 2, "reorder_point": 3, "par_level": 20, "pack_size": 12},
        2,
        0,
        0,
        ("0.00", None, 0, 20, True, 24),
        id="pack rounding: 18 short is two cases of 12",
    ),
    pytest.param(
        {"stock": 1, "reorder_point": 3, "par_level": 20},
        2,
        0,
        2,
        ("0.00", None, 2, 20, True, 17),
        id="on order is subtracted from what to order",
    ),
    pytest.param(
        {"stock": 2, "reorder_point": 3, "par_level": 20},
        2,
        0,
        18,
        ("0.00", None, 18, 20, False, 0),
        id="enough on order: nothing needs ordering",
    ),
    pytest.param(
        {"stock": 8, "reorder_point": 3, "par_level": 10},
        4,
        3,
        0,
        ("3.00", "2.7", 0, 33, True, 25),
        id="days of cover below the lead time orders above the reorder point",
    ),
    pytest.param(
        {"stock": 30, "reorder_point": 3, "par_level": 10},
        4,
        3,
        0,
        ("3.00", "10.0", 0, 33, False, 0),
        id="enough cover: nothing to order",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "lead", "per_day", "ordered", "expected"), CASES)
def test_the_rule_on_a_known_history(today, fields, lead, per_day, ordered, expected):
    supplier = SupplierFactory(lead_time_days=lead)
    stock = fields.pop("stock")
    product = ProductFactory(supplier=supplier, stock=stock + per_day * 28, **fields)
    if per_day:
        sell_daily(product, per_day, today=today)
    if ordered:
        on_order(product, ordered)

    p = with_replenishment(Product.objects.filter(pk=product.pk)).get()

    # As the manifest, the alerts and the API put them (text, the rule's places).
    item = low_stock_item(p)
    assert p.stock == stock
    assert (
        item["velocity"],
        item["days_of_cover"],
        p.on_order,
        p.target,
        p.needs_ordering,
        p.suggested_qty,
    ) == expected


@pytest.mark.django_db
def test_velocity_counts_28_complete_days_net_of_voids(today):
    product = ProductFactory(stock=100, reorder_point=3)
    sell(product, 30, day=today - datetime.timedelta(days=3))
    sell(product, 2, day=today - datetime.timedelta(days=2), reason="void")
    sell(product, 5, day=today)  # today is not complete
    sell(product, 7, day=today - datetime.timedelta(days=29))  # before the window

    p = with_replenishment(Product.objects.filter(pk=product.pk)).get()

    assert (p.sold, p.velocity) == (28, Decimal("1.00"))


@pytest.mark.django_db
def test_only_sent_and_partly_received_orders_are_on_order(today):
    product = ProductFactory(stock=10, reorder_point=3)
    on_order(product, 5, status="sent")
    on_order(product, 7, status="partial", received=4)
    on_order(product, 4, status="partial", received=6)  # over-delivered: owes 0
    on_order(product, 100, status="draft")
    on_order(product, 100, status="cancelled")
    on_order(product, 100, status="received", received=90)  # closed short

    p = with_replenishment(Product.objects.filter(pk=product.pk)).get()

    assert p.on_order == 5 + 3


def test_the_items_text_keeps_the_rules_places_whatever_the_database_hands_back():
    # SQLite returns a computed decimal with a float's digits.
    product = Product(sku="LEI-001", name="Leite", stock=3, reorder_point=5)
    product.velocity = Decimal("0.390000000000000")
    product.days_of_cover = Decimal("1.10000000000000")
    product.on_order = product.suggested_qty = product.lead_time = 0

    item = low_stock_item(product)

    assert (item["velocity"], item["days_of_cover"]) == ("0.39", "1.1")
