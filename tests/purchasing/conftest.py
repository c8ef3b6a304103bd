import datetime

import pytest
from django.utils import timezone

from inventory.models import StockMovement
from inventory.services import stock_move
from pitstop.clock import store_midnight
from purchasing.models import PurchaseOrder, PurchaseOrderLine


def sell(product, qty: int, *, day: datetime.date, reason="sale") -> None:
    """Book `qty` units out (or back in, for a void) at noon of a past store day."""
    delta = -qty if reason == "sale" else qty
    movement = stock_move(product=product, delta=delta, reason=reason, ref="hist")
    noon = store_midnight(day) + datetime.timedelta(hours=12)
    StockMovement.objects.filter(pk=movement.pk).update(created_at=noon)
    product.refresh_from_db()


def sell_daily(product, per_day: int, *, today: datetime.date, days: int = 28):
    for n in range(1, days + 1):
        sell(product, per_day, day=today - datetime.timedelta(days=n))


def on_order(product, qty: int, *, status="sent", received: int = 0):
    order = PurchaseOrder.objects.create(supplier=product.supplier, status=status)
    PurchaseOrderLine.objects.create(
        order=order, product=product, ordered=qty, received=received, unit_cost=1
    )
    return order


@pytest.fixture(autouse=True)
def english(in_english):
    """These tests read the English texts (tests/test_language.py reads the
    Portuguese ones)."""


@pytest.fixture
def today():
    return timezone.localdate()
