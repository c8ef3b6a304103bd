"""Helpers for the perishables' tests: tracked products with lots, and the
invariant lots = counter = ledger."""

import datetime

from django.db.models import Sum

from inventory.models import Lot, LotMovement, Product, StockMovement
from inventory.services import stock_receive
from pitstop.clock import store_today
from tests.factories import ProductFactory


def day(offset: int) -> datetime.date:
    """A date `offset` days from the store's today."""
    return store_today() + datetime.timedelta(days=offset)


def perishable(*lots: tuple[int, int], **fields) -> Product:
    """A product that tracks expiry with one received lot per (units, days
    until it expires), booked in that order."""
    product = ProductFactory(tracks_expiry=True, stock=0, **fields)
    for units, offset in lots:
        receive(product, units, offset)
    product.refresh_from_db()
    return product


def receive(product: Product, units: int, offset: int) -> Lot:
    stock_receive(
        supplier=None,
        quantities={product.pk: units},
        expires_on={product.pk: day(offset)},
        allow_past_expiry=True,
    )
    return product.lots.order_by("pk").last()


def lots_left(product: Product) -> list[tuple[datetime.date | None, int]]:
    """(expiry, units left) of each lot, first-expiring first."""
    return list(product.lots.values_list("expires_on", "units_left"))


def assert_lots_agree(product: Product) -> None:
    """stock = sum of lots' units left = sum of the ledger; each lot holds the
    sum of its moves; each ledger row's lot moves add up to its change."""
    product.refresh_from_db()
    ledger = product.movements.aggregate(s=Sum("delta"))["s"] or 0
    lots = product.lots.aggregate(s=Sum("units_left"))["s"] or 0
    assert product.stock == ledger
    if product.tracks_expiry:
        assert product.stock == lots
    for lot in product.lots.annotate(moved=Sum("moves__units")):
        assert lot.units_left == (lot.moved or 0), lot
        assert 0 <= lot.units_left <= lot.units_received
    named = (
        StockMovement.objects.filter(product=product, lot_moves__isnull=False)
        .annotate(moved=Sum("lot_moves__units"))
        .values_list("delta", "moved")
    )
    for delta, moved in named:
        assert delta == moved
    assert not LotMovement.objects.filter(units=0).exists()
