"""Perishables through the one stock writer: first-expiring-first-out, no sale
of expired or undated units, receipts dated, returns and voids back to lots,
write-offs at cost, stocktakes (docs/perishables.md)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.exceptions import (
    ExpiredStock,
    ExpiryInPast,
    ExpiryMissing,
    InsufficientStock,
    LotOverdrawn,
)
from inventory.models import Lot, StockMovement
from inventory.perishables import lot_date, lot_write_off, product_tracking_set
from inventory.services import stock_count, stock_receive
from sales.models import Sale
from sales.returns import sale_return
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory
from tests.inventory.lots import assert_lots_agree, day, lots_left, perishable

pytestmark = pytest.mark.django_db


def sell(user, product, qty):
    sale, _created = sale_create(clerk=user, lines=[(product.sku, qty)])
    return sale


def test_a_sale_takes_units_first_expiring_first_across_three_lots(manager):
    # Received out of order: the lot expiring first is the second delivery.
    milk = perishable((3, 10), (2, 5), (4, 20))

    sale = sell(manager, milk, 6)

    assert lots_left(milk) == [(day(5), 0), (day(10), 0), (day(20), 3)]
    (row,) = StockMovement.objects.filter(reason="sale", ref=str(sale.pk))
    assert sorted(row.lot_moves.values_list("lot__expires_on", "units")) == [
        (day(5), -2),
        (day(10), -3),
        (day(20), -1),
    ]
    assert_lots_agree(milk)


def test_a_lot_expiring_today_is_still_sold(manager):
    yoghurt = perishable((2, 0), (5, 3))

    sell(manager, yoghurt, 1)

    assert lots_left(yoghurt) == [(day(0), 1), (day(3), 5)]


def test_an_expired_lot_is_skipped(manager):
    sandwich = perishable((4, -1), (3, 2))

    sell(manager, sandwich, 2)

    assert lots_left(sandwich) == [(day(-1), 4), (day(2), 1)]
    assert_lots_agree(sandwich)


def test_a_sale_needing_expired_units_is_refused_with_what_can_be_sold(manager):
    sandwich = perishable((4, -1), (1, 2))

    with pytest.raises(ExpiredStock) as refused:
        sell(manager, sandwich, 2)

    assert (refused.value.sku, refused.value.available, refused.value.wanted) == (
        sandwich.sku,
        1,
        2,
    )
    assert lots_left(sandwich) == [(day(-1), 4), (day(2), 1)]
    assert Sale.objects.count() == 0
    assert_lots_agree(sandwich)


def test_only_expired_units_left_refuses_the_sale_with_none_sellable(manager):
    sandwich = perishable((4, -2))

    with pytest.raises(ExpiredStock) as refused:
        sell(manager, sandwich, 1)

    assert refused.value.available == 0
    sandwich.refresh_from_db()
    assert sandwich.stock == 4


def test_more_than_the_stock_of_a_perishable_is_plain_insufficient_stock(manager):
    milk = perishable((2, 4))

    with pytest.raises(InsufficientStock) as refused:
        sell(manager, milk, 3)

    assert not isinstance(refused.value, ExpiredStock)
    assert refused.value.available == 2


def test_a_whole_sale_is_refused_when_one_perishable_line_is_expired(manager):
    water = ProductFactory(stock=10)
    milk = perishable((2, -1))

    with pytest.raises(ExpiredStock):
        sale_create(clerk=manager, lines=[(water.sku, 1), (milk.sku, 1)])

    water.refresh_from_db()
    assert water.stock == 10
    assert Sale.objects.count() == 0


@pytest.mark.usefixtures("in_english")
def test_a_receipt_of_a_perishable_without_a_date_is_refused_and_changes_nothing():
    milk = perishable((2, 4))
    water = ProductFactory(stock=1)

    with pytest.raises(ExpiryMissing, match="expiry date"):
        stock_receive(supplier=None, quantities={milk.pk: 6, water.pk: 5})

    assert lots_left(milk) == [(day(4), 2)]
    water.refresh_from_db()
    assert water.stock == 1
    assert_lots_agree(milk)


@pytest.mark.usefixtures("in_english")
def test_a_receipt_dated_in_the_past_is_refused_unless_confirmed():
    milk = perishable()

    with pytest.raises(ExpiryInPast, match="in the past"):
        stock_receive(
            supplier=None, quantities={milk.pk: 6}, expires_on={milk.pk: day(-1)}
        )
    assert lots_left(milk) == []

    stock_receive(
        supplier=None,
        quantities={milk.pk: 6},
        expires_on={milk.pk: day(-1)},
        allow_past_expiry=True,
    )
    assert lots_left(milk) == [(day(-1), 6)]


def test_each_receipt_of_a_perishable_is_a_lot_of_its_own():
    milk = perishable()

    stock_receive(
        supplier=None,
        quantities={milk.pk: 6},
        expires_on={milk.pk: day(7)},
        reference="NF-9",
    )

    lot = Lot.objects.get(product=milk)
    assert (lot.units_received, lot.units_left, lot.ref) == (6, 6, "NF-9")
    assert_lots_agree(milk)


def test_a_restocking_return_goes_back_to_the_first_expiring_lot_the_sale_took(
    manager,
):
    milk = perishable((2, 3), (5, 8))
    sale = sell(manager, milk, 4)  # 2 of the first lot, 2 of the second
    perishable_later = Lot.objects.get(product=milk, expires_on=day(8))

    sale_return(sale_id=sale.pk, user=manager, lines=[(milk.sku, 1)], restock=True)
    assert lots_left(milk) == [(day(3), 1), (day(8), 3)]

    # The next return: the first lot has had its units back, so the second.
    sale_return(sale_id=sale.pk, user=manager, lines=[(milk.sku, 2)], restock=True)
    assert lots_left(milk) == [(day(3), 2), (day(8), 4)]
    perishable_later.refresh_from_db()
    assert perishable_later.units_left == 4
    assert_lots_agree(milk)


def test_a_return_written_off_leaves_the_lots_as_they_were(manager):
    milk = perishable((3, 3))
    sale = sell(manager, milk, 2)

    sale_return(sale_id=sale.pk, user=manager, lines=[(milk.sku, 1)], restock=False)

    assert lots_left(milk) == [(day(3), 1)]
    assert_lots_agree(milk)


def test_a_void_gives_back_exactly_the_lots_the_sale_took(manager):
    milk = perishable((2, 3), (5, 8))
    sell(manager, milk, 1)
    sale = sell(manager, milk, 3)  # the last of the first lot, 2 of the second
    sell(manager, milk, 1)

    sale_void(sale_id=sale.pk, user=manager, reason="wrong item")

    assert lots_left(milk) == [(day(3), 1), (day(8), 4)]
    assert_lots_agree(milk)


def test_a_write_off_is_waste_valued_at_cost_with_its_reason(manager):
    milk = perishable((4, -1), (3, 5), cost=Decimal("2.40"))
    expired = Lot.objects.get(product=milk, expires_on=day(-1))

    (row,) = lot_write_off(lots={expired.pk: 4}, reason="expired", user=manager)

    assert (row.reason, row.delta, row.note, row.user) == (
        "waste",
        -4,
        "expired",
        manager,
    )
    assert row.unit_cost == Decimal("2.40")
    assert -row.delta * row.unit_cost == Decimal("9.60")
    assert lots_left(milk) == [(day(-1), 0), (day(5), 3)]
    assert_lots_agree(milk)


@pytest.mark.usefixtures("in_english")
def test_writing_off_more_than_a_lot_holds_is_refused_and_changes_nothing(manager):
    milk = perishable((4, -1), (3, 5))
    other = perishable((2, 1))
    lots = {lot.pk: 1 for lot in Lot.objects.filter(product=other)}
    expired = Lot.objects.get(product=milk, expires_on=day(-1))

    with pytest.raises(LotOverdrawn, match="holds 4"):
        lot_write_off(lots={**lots, expired.pk: 5}, reason="mould", user=manager)

    assert lots_left(milk) == [(day(-1), 4), (day(5), 3)]
    assert lots_left(other) == [(day(1), 2)]
    assert not StockMovement.objects.filter(reason="waste").exists()


@pytest.mark.usefixtures("in_english")
def test_a_write_off_needs_a_reason(manager):
    milk = perishable((4, -1))

    with pytest.raises(ValidationError, match="why"):
        lot_write_off(lots={milk.lots.get().pk: 1}, reason=" ", user=manager)


def test_a_stocktake_down_takes_first_expiring_first_and_up_is_an_undated_lot():
    milk = perishable((2, -1), (3, 4), (3, 9))

    stock_count(counts={milk.pk: 5}, note="missing")
    assert lots_left(milk) == [(day(-1), 0), (day(4), 2), (day(9), 3)]

    stock_count(counts={milk.pk: 7}, note="found behind the yoghurts")
    assert lots_left(milk)[-1] == (None, 2)
    assert_lots_agree(milk)


def test_switching_tracking_on_puts_the_stock_in_an_undated_lot_not_sold(manager):
    cheese = ProductFactory(stock=6)

    product_tracking_set(product_id=cheese.pk, tracks=True)

    assert lots_left(cheese) == [(None, 6)]
    with pytest.raises(ExpiredStock) as refused:
        sell(manager, cheese, 1)
    assert refused.value.available == 0
    assert_lots_agree(cheese)


def test_dating_the_undated_lot_makes_its_units_sellable(manager):
    cheese = ProductFactory(stock=6)
    product_tracking_set(product_id=cheese.pk, tracks=True)
    (undated,) = cheese.lots.all()

    lot_date(lot_id=undated.pk, parts=[(day(9), 2), (day(3), 4)])
    sell(manager, cheese, 5)

    assert lots_left(cheese) == [(day(3), 0), (day(9), 1), (None, 0)]
    assert_lots_agree(cheese)


@pytest.mark.usefixtures("in_english")
def test_dating_must_account_for_every_unit_and_not_be_in_the_past():
    cheese = ProductFactory(stock=6)
    product_tracking_set(product_id=cheese.pk, tracks=True)
    (undated,) = cheese.lots.all()

    with pytest.raises(ValidationError, match="add up to the 6"):
        lot_date(lot_id=undated.pk, parts=[(day(9), 2)])
    with pytest.raises(ExpiryInPast):
        lot_date(lot_id=undated.pk, parts=[(day(-1), 6)])

    assert lots_left(cheese) == [(None, 6)]


def test_switching_tracking_off_empties_the_lots_and_sells_as_before(manager):
    milk = perishable((3, -1))

    product_tracking_set(product_id=milk.pk, tracks=False)
    sell(manager, milk, 2)

    milk.refresh_from_db()
    assert (milk.tracks_expiry, milk.stock) == (False, 1)
    assert lots_left(milk) == [(day(-1), 0)]
    assert_lots_agree(milk)


def test_a_sale_of_a_perishable_costs_one_query_more_than_of_any_product(manager):
    water = ProductFactory(stock=50)
    milk = perishable((25, 3), (25, 6))
    sell(manager, water, 1)
    sell(manager, milk, 1)

    with CaptureQueriesContext(connection) as plain:
        sell(manager, water, 1)
    with CaptureQueriesContext(connection) as tracked:
        sell(manager, milk, 26)  # across both lots

    expected = len(plain) + (1 if connection.vendor == "postgresql" else 3)
    assert len(tracked) == expected, [q["sql"][:80] for q in tracked]
    assert_lots_agree(milk)
