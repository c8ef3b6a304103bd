"""Clerks selling a perishable at the same moment, on PostgreSQL with real
threads: first-expiring-first-out holds, no lot oversold, lots = counter =
ledger."""

import random

import pytest

from inventory.exceptions import ExpiredStock, InsufficientStock
from inventory.models import Lot
from sales.models import SaleLine
from sales.services import sale_create
from tests.factories import UserFactory
from tests.inventory.lots import assert_lots_agree, day, lots_left, perishable
from tests.sales.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_sixteen_clerks_selling_a_perishable_keep_lots_counter_and_ledger_equal():
    clerks = [UserFactory() for _ in range(16)]
    # At most 16 x 3 x 2 = 96 units wanted: never all, so the order shows.
    milk = perishable((30, 2), (30, 5), (40, 9))

    def shift(clerk, seed: int) -> int:
        rng = random.Random(seed)
        sold = 0
        for _ in range(3):
            qty = rng.randint(1, 2)
            try:
                sale_create(clerk=clerk, lines=[(milk.sku, qty)])
            except InsufficientStock:
                continue
            sold += qty
        return sold

    results = run_at_once([lambda c=c, i=i: shift(c, i) for i, c in enumerate(clerks)])

    assert [r for r in results if isinstance(r, Exception)] == []
    sold = sum(results)
    assert sold == sum(
        SaleLine.objects.filter(product=milk).values_list("quantity", flat=True)
    )
    # First-expiring-first-out: what was sold is the earliest units.
    left = 100 - sold
    expected = []
    for offset, units in ((9, 40), (5, 30), (2, 30)):
        keep = min(units, left)
        expected.insert(0, (day(offset), keep))
        left -= keep
    assert lots_left(milk) == expected
    assert_lots_agree(milk)


def test_the_last_units_of_the_earliest_lot_are_sold_once_then_expired_refused():
    clerks = [UserFactory() for _ in range(8)]
    # Three units in date, the rest expired yesterday.
    milk = perishable((10, -1), (3, 1))

    results = run_at_once(
        [lambda c=c: sale_create(clerk=c, lines=[(milk.sku, 1)]) for c in clerks]
    )

    sold = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ExpiredStock)]
    assert (len(sold), len(refused)) == (3, 5), results
    assert {(r.available, r.wanted) for r in refused} == {(0, 1)}
    assert lots_left(milk) == [(day(-1), 10), (day(1), 0)]
    assert Lot.objects.get(product=milk, expires_on=day(1)).units_left == 0
    assert_lots_agree(milk)
