"""Receiving perishables against a purchase order: each line names its expiry
date (API and admin); without it, malformed or past, nothing is booked."""

import datetime

import pytest
from django.urls import reverse

from inventory.models import Lot, Product, StockMovement
from pitstop.clock import store_today
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from tests.factories import ProductFactory, SupplierFactory
from tests.inventory.lots import assert_lots_agree, lots_left

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return store_today() + datetime.timedelta(days=offset)


@pytest.fixture
def order(manager):
    supplier = SupplierFactory(name="Laticínios Serra")
    order = PurchaseOrder.objects.create(supplier=supplier, status="sent")
    for sku, qty, tracks in (("MILK", 24, True), ("WATER", 12, False)):
        product = ProductFactory(
            sku=sku, supplier=supplier, stock=0, tracks_expiry=tracks
        )
        PurchaseOrderLine.objects.create(
            order=order, product=product, ordered=qty, unit_cost="2.50"
        )
    return order


def state():
    return (
        list(Product.objects.order_by("sku").values_list("sku", "stock")),
        StockMovement.objects.count(),
        Lot.objects.count(),
        list(PurchaseOrderLine.objects.order_by("pk").values_list("received")),
        Receipt.objects.count(),
    )


def receive(client, order, lines, key="dock-1"):
    return client.post(
        f"/api/purchase-orders/{order.number}/receipts/",
        {"lines": lines, "idempotency_key": key},
        content_type="application/json",
    )


def test_a_handheld_receipt_books_one_lot_per_expiry_date(manager_client, order):
    response = receive(
        manager_client,
        order,
        [
            {"sku": "MILK", "qty": 10, "expires_on": day(5).isoformat()},
            {"sku": "MILK", "qty": 6, "expires_on": day(9).isoformat()},
            {"sku": "WATER", "qty": 12},
        ],
    )

    assert response.status_code == 201, response.json()
    milk = Product.objects.get(sku="MILK")
    assert lots_left(milk) == [(day(5), 10), (day(9), 6)]
    assert set(milk.lots.values_list("ref", flat=True)) == {order.number}
    assert [line["received"] for line in response.json()["lines"]] == [16, 12]
    assert_lots_agree(milk)


@pytest.mark.usefixtures("in_english")
@pytest.mark.parametrize(
    ("expires_on", "error"),
    [
        (None, "MILK) tracks expiry: give the expiry date"),
        ("yesterday", "lines[0].expires_on: "),
        ("2026-02-30", "lines[0].expires_on: "),
        ("30/12/2026", "lines[0].expires_on: "),
        (-1, "is in the past"),
    ],
    ids=["missing", "not a date", "no such day", "not ISO", "past"],
)
def test_a_bad_expiry_date_is_a_400_and_books_nothing(
    manager_client, order, expires_on, error
):
    line = {"sku": "MILK", "qty": 10}
    if isinstance(expires_on, int):
        line["expires_on"] = day(expires_on).isoformat()
    elif expires_on is not None:
        line["expires_on"] = expires_on
    before = state()

    response = receive(manager_client, order, [line, {"sku": "WATER", "qty": 12}])

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_receipt"
    assert error in body["message"]
    assert state() == before


@pytest.mark.usefixtures("in_english")
def test_the_admin_receives_a_perishable_with_its_date_and_a_past_one_confirmed(
    manager_client, order
):
    url = reverse("admin:purchasing_purchaseorder_receive", args=[order.pk])
    milk_line, water_line = order.lines.order_by("pk")
    page = manager_client.get(url)
    key = page.context["form"]["idempotency_key"].value()
    post = {
        "idempotency_key": key,
        f"qty_{milk_line.pk}": 10,
        f"expires_{milk_line.pk}": day(-1).isoformat(),
        f"qty_{water_line.pk}": 12,
    }

    refused = manager_client.post(url, post)
    assert "is in the past" in str(refused.context["form"].non_field_errors())
    assert Lot.objects.count() == 0

    booked = manager_client.post(url, {**post, "allow_past_expiry": "on"})
    assert booked.status_code == 302
    assert lots_left(Product.objects.get(sku="MILK")) == [(day(-1), 10)]


@pytest.mark.usefixtures("in_english")
def test_the_admin_refuses_a_perishable_line_without_its_date(manager_client, order):
    url = reverse("admin:purchasing_purchaseorder_receive", args=[order.pk])
    milk_line, _water = order.lines.order_by("pk")
    key = manager_client.get(url).context["form"]["idempotency_key"].value()

    response = manager_client.post(
        url, {"idempotency_key": key, f"qty_{milk_line.pk}": 10}
    )

    assert response.status_code == 200
    assert "expiry date" in str(response.context["form"].errors)
    assert Lot.objects.count() == 0
