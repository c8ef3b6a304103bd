"""The purchase-order API: managers only, and every bad input answered with a
clear error that changes nothing."""

import pytest
from django.core import mail
from django.core.files.storage import storages
from rest_framework.authtoken.models import Token

from inventory.models import Product, StockMovement
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(manager):
    supplier = SupplierFactory(name="Bebidas Sul", email="pedidos@bebidassul.example")
    order = PurchaseOrder.objects.create(supplier=supplier)
    for sku, qty in (("COLA", 24), ("WATER", 12)):
        product = ProductFactory(sku=sku, supplier=supplier, stock=2)
        PurchaseOrderLine.objects.create(
            order=order, product=product, ordered=qty, unit_cost="2.50"
        )
    ProductFactory(sku="CHIPS", stock=5)  # exists, not on the order
    return order


def sent(order) -> PurchaseOrder:
    PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")
    order.refresh_from_db()
    return order


def state():
    return (
        list(Product.objects.order_by("sku").values_list("sku", "stock")),
        StockMovement.objects.count(),
        list(PurchaseOrder.objects.values_list("pk", "status")),
        list(
            PurchaseOrderLine.objects.order_by("pk").values_list("received", flat=True)
        ),
        Receipt.objects.count(),
    )


def receive(client, order, body):
    return client.post(
        f"/api/purchase-orders/{order.number}/receipts/",
        body,
        content_type="application/json",
    )


def test_a_clerks_token_is_refused_everywhere(client, clerk, order):
    token = Token.objects.create(user=clerk)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    before = state()

    answers = [
        client.get("/api/purchase-orders/?status=draft", **auth),
        client.get(f"/api/purchase-orders/{order.number}/", **auth),
        client.post(f"/api/purchase-orders/{order.number}/send/", **auth),
        client.post(
            f"/api/purchase-orders/{order.number}/receipts/",
            {"lines": [{"sku": "COLA", "qty": 1}], "idempotency_key": "k"},
            content_type="application/json",
            **auth,
        ),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert all("error" in a.json() for a in answers)
    assert state() == before
    assert mail.outbox == []


def test_a_manager_reads_an_order_by_its_number_or_bare_number(manager_client, order):
    by_number = manager_client.get(f"/api/purchase-orders/{order.number}/")
    bare = manager_client.get(f"/api/purchase-orders/{order.pk}/")

    assert by_number.status_code == bare.status_code == 200
    assert by_number.json() == bare.json()
    body = by_number.json()
    assert (body["number"], body["supplier"], body["status"]) == (
        order.number,
        "Bebidas Sul",
        "draft",
    )
    assert [
        {k: line[k] for k in ("sku", "ordered", "received", "unit_cost")}
        for line in body["lines"]
    ] == [
        {"sku": "COLA", "ordered": 24, "received": 0, "unit_cost": "2.50"},
        {"sku": "WATER", "ordered": 12, "received": 0, "unit_cost": "2.50"},
    ]


def test_the_list_filters_by_status_and_refuses_an_unknown_one(manager_client, order):
    assert [
        o["number"]
        for o in manager_client.get("/api/purchase-orders/?status=draft").json()
    ] == [order.number]
    assert manager_client.get("/api/purchase-orders/?status=sent").json() == []
    bad = manager_client.get("/api/purchase-orders/?status=lost")
    assert bad.status_code == 400
    assert "status must be one of" in bad.json()["message"]


@pytest.mark.parametrize("number", ["PO-999", "999", "PO-", "abc", "PO-1x"])
def test_an_unknown_order_is_404_json(manager_client, order, number):
    response = manager_client.get(f"/api/purchase-orders/{number}/")

    assert response.status_code == 404
    assert "error" in response.json()


def test_sending_without_a_supplier_email_changes_nothing(
    manager_client, order, reports_storage
):
    order.supplier.email = ""
    order.supplier.save()
    before = state()

    response = manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    assert response.status_code == 409
    assert response.json()["error"] == "no_supplier_email"
    assert "Bebidas Sul has no e-mail address" in response.json()["message"]
    assert state() == before
    assert mail.outbox == []
    assert not (reports_storage / "orders").exists()


def test_sending_an_order_that_is_not_a_draft_is_refused(manager_client, order):
    sent(order)
    before = state()

    response = manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    assert response.status_code == 409
    assert response.json()["error"] == "invalid_status"
    assert "only a draft can be sent" in response.json()["message"]
    assert state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["draft", "cancelled", "received"])
def test_receiving_against_an_order_not_sent_is_refused(manager_client, order, status):
    PurchaseOrder.objects.filter(pk=order.pk).update(status=status)
    before = state()

    response = receive(
        manager_client,
        order,
        {"lines": [{"sku": "COLA", "qty": 1}], "idempotency_key": "k1"},
    )

    assert response.status_code == 409
    assert response.json()["error"] == "invalid_status"
    assert "nothing can be received against it" in response.json()["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([{"sku": "NOPE", "qty": 1}], ["NOPE: no product has this sku."]),
        ([{"sku": "CHIPS", "qty": 1}], [None]),
        (
            [{"sku": "NOPE", "qty": 1}, {"sku": "CHIPS", "qty": 2}],
            ["NOPE: no product has this sku.", None],
        ),
        ([{"sku": "COLA", "qty": 0}], ["lines[0].qty: "]),
        ([{"sku": "COLA", "qty": -3}], ["lines[0].qty: "]),
        ([{"sku": "COLA", "qty": "two"}], ["lines[0].qty: "]),
        ([], ["A receipt needs at least one line."]),
    ],
    ids=[
        "unknown sku",
        "sku not on the order",
        "both, listed together",
        "zero",
        "negative",
        "not a number",
        "no lines",
    ],
)
def test_bad_receipt_lines_are_listed_and_nothing_is_booked(
    manager_client, order, lines, errors
):
    sent(order)
    before = state()

    response = receive(manager_client, order, {"lines": lines, "idempotency_key": "k"})

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error"] == "invalid_receipt"
    assert len(body["errors"]) == len(errors)
    for got, wanted in zip(body["errors"], errors, strict=True):
        if wanted is None:
            assert got == f"CHIPS is not on {order.number}."
        else:
            assert got.startswith(wanted)
    assert state() == before


def test_a_receipt_needs_an_idempotency_key(manager_client, order):
    sent(order)
    before = state()

    response = receive(manager_client, order, {"lines": [{"sku": "COLA", "qty": 1}]})

    assert response.status_code == 400
    assert response.json()["errors"] == ["idempotency_key: This field is required."]
    assert state() == before


def test_a_key_used_again_with_other_lines_is_refused(manager_client, order):
    sent(order)
    receive(
        manager_client,
        order,
        {"lines": [{"sku": "COLA", "qty": 5}], "idempotency_key": "dock-7"},
    )
    before = state()

    response = receive(
        manager_client,
        order,
        {"lines": [{"sku": "COLA", "qty": 6}], "idempotency_key": "dock-7"},
    )

    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_key_reused"
    assert state() == before


def test_more_than_ordered_is_accepted_and_noted(manager_client, order):
    sent(order)

    response = receive(
        manager_client,
        order,
        {
            "lines": [{"sku": "COLA", "qty": 30}, {"sku": "WATER", "qty": 12}],
            "idempotency_key": "dock-9",
            "note": "NF 4411",
        },
    )

    assert response.status_code == 201
    assert response.json()["status"] == "received"
    receipt = Receipt.objects.get()
    assert receipt.note == "NF 4411; over-delivery: COLA +6"
    movement = StockMovement.objects.get(ref=order.number, product__sku="COLA")
    assert (movement.delta, movement.ref, movement.note) == (
        30,
        order.number,
        "NF 4411; over-delivery: COLA +6",
    )


def test_nothing_stored_or_mailed_outside_orders_po(manager_client, order):
    response = manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    assert response.status_code == 200
    storage = storages["reports"]
    assert sorted(storage.listdir("orders/po/")[1]) == [
        f"{order.number}.csv",
        f"{order.number}.pdf",
    ]
    assert not storage.exists("reports") and not storage.exists("events")


def test_the_order_csv_never_carries_a_formula(manager_client, order):
    Product.objects.filter(sku="COLA").update(name='=HYPERLINK("http://x","y")')

    manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    with storages["reports"].open(f"orders/po/{order.number}.csv") as f:
        text = f.read().decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
