"""Deliveries booked at the same moment as each other and as sales, on
PostgreSQL with real threads and connections: ledger = stock, a line's
received count loses no update, one idempotency key books once."""

import pytest
from django.db.models import Sum

from inventory.exceptions import InsufficientStock
from purchasing.exceptions import OrderStateError
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from purchasing.services import order_receive
from sales.services import sale_create
from tests.factories import ProductFactory, SupplierFactory, UserFactory
from tests.sales.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def sent_order(*lines: tuple[str, int, int]) -> PurchaseOrder:
    """A sent order of (sku, ordered, opening stock) lines."""
    supplier = SupplierFactory()
    order = PurchaseOrder.objects.create(supplier=supplier, status="sent")
    for sku, ordered, stock in lines:
        product = ProductFactory(sku=sku, supplier=supplier, stock=stock)
        PurchaseOrderLine.objects.create(
            order=order, product=product, ordered=ordered, unit_cost=1
        )
    return order


def ledger_agrees(sku: str) -> int:
    line = PurchaseOrderLine.objects.select_related("product").get(product__sku=sku)
    product = line.product
    assert product.stock == product.movements.aggregate(s=Sum("delta"))["s"]
    return product.stock


def test_one_key_sent_by_six_handhelds_at_once_books_one_delivery():
    manager = UserFactory()
    order = sent_order(("COLA", 24, 5))

    results = run_at_once(
        [
            lambda: order_receive(
                order_id=order.pk,
                lines=[("COLA", 24)],
                user=manager,
                idempotency_key="dock-1",
            )
        ]
        * 6
    )

    created = [r[1] for r in results if isinstance(r, tuple)]
    assert sorted(created) == [False] * 5 + [True], results
    assert Receipt.objects.count() == 1
    assert ledger_agrees("COLA") == 5 + 24
    assert PurchaseOrderLine.objects.get().received == 24
    assert PurchaseOrder.objects.get().status == "received"


def test_the_same_delivery_booked_twice_at_once_counts_once():
    """Two handhelds scan the same full delivery under different keys: the
    first closes the order, the second is refused; no unit counted twice."""
    manager = UserFactory()
    order = sent_order(("COLA", 24, 0), ("WATER", 12, 0))
    lines = [("WATER", 12), ("COLA", 24)]

    results = run_at_once(
        [
            lambda key=key: order_receive(
                order_id=order.pk, lines=lines, user=manager, idempotency_key=key
            )
            for key in ("van-a", "van-b")
        ]
    )

    booked = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, OrderStateError)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert "nothing can be received against it" in refused[0].message
    received = dict(PurchaseOrderLine.objects.values_list("product__sku", "received"))
    assert received == {"COLA": 24, "WATER": 12}
    assert Receipt.objects.count() == 1
    assert (ledger_agrees("COLA"), ledger_agrees("WATER")) == (24, 12)


def test_deliveries_racing_sales_keep_ledger_and_stock_in_step():
    manager = UserFactory()
    clerks = [UserFactory() for _ in range(4)]
    order = sent_order(("COLA", 200, 20), ("WATER", 200, 20))

    def deliveries(n: int) -> int:
        booked = 0
        for i in range(5):
            order_receive(
                order_id=order.pk,
                lines=[("COLA", 4), ("WATER", 4)],
                user=manager,
                idempotency_key=f"dock-{n}-{i}",
            )
            booked += 4
        return booked

    def sales(clerk) -> int:
        sold = 0
        for _ in range(10):
            try:
                sale_create(clerk=clerk, lines=[("WATER", 1), ("COLA", 1)])
                sold += 1
            except InsufficientStock:
                pass
        return sold

    results = run_at_once(
        [lambda n=n: deliveries(n) for n in range(4)]
        + [lambda c=c: sales(c) for c in clerks]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    received = sum(results[:4])
    sold = sum(results[4:])
    assert received == 80
    for sku in ("COLA", "WATER"):
        assert ledger_agrees(sku) == 20 + received - sold
    assert set(PurchaseOrderLine.objects.values_list("received", flat=True)) == {80}
    assert PurchaseOrder.objects.get().status == "partial"
