import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from inventory.models import Lot
from inventory.services import stock_count
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_product_does_not_track_expiry_unless_told():
    assert ProductFactory().tracks_expiry is False


@pytest.mark.parametrize("units_left", [-1, 6])
def test_the_database_refuses_a_lot_below_zero_or_above_what_it_received(units_left):
    product = ProductFactory(tracks_expiry=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.create(
            product=product,
            expires_on=datetime.date(2026, 12, 1),
            units_received=5,
            units_left=units_left,
        )


def test_lots_list_first_expiring_first_and_undated_last():
    product = ProductFactory(tracks_expiry=True, stock=0)
    later, undated, sooner = (
        Lot.objects.create(
            product=product, expires_on=day, units_received=1, units_left=1
        )
        for day in (datetime.date(2026, 12, 9), None, datetime.date(2026, 12, 2))
    )
    assert list(product.lots.all()) == [sooner, later, undated]


def test_each_ledger_row_keeps_the_cost_of_its_product_when_written():
    product = ProductFactory(stock=4, cost="2.50")
    product.cost = "3.10"
    product.save(update_fields=["cost"])

    stock_count(counts={product.pk: 1}, note="broken")

    costs = list(product.movements.order_by("pk").values_list("unit_cost", flat=True))
    assert costs == [Decimal("2.50"), Decimal("3.10")]
