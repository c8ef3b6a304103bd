"""Purchase orders in the admin: edit a draft, Send, cancel, close short, and
the receiving page (partial, over-delivery with a note, "add to order")."""

import re

import pytest
from django.core import mail

from inventory.models import Product, StockMovement
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import order_receive
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    supplier = SupplierFactory(name="Bebidas Sul", email="pedidos@bebidassul.example")
    order = PurchaseOrder.objects.create(supplier=supplier)
    for sku, qty in (("COLA", 24), ("WATER", 12)):
        product = ProductFactory(sku=sku, supplier=supplier, stock=2)
        PurchaseOrderLine.objects.create(
            order=order, product=product, ordered=qty, unit_cost="2.50"
        )
    ProductFactory(sku="CHIPS", name="Ruffles", stock=5, cost="4.00")
    return order


def url(order, action=""):
    base = f"/admin/purchasing/purchaseorder/{order.pk}/"
    return base + (f"{action}/" if action else "change/")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_list_shows_drafts_with_totals_and_flags_one_under_the_minimum(
    manager_client, order
):
    order.supplier.min_order_value = 100
    order.supplier.save()

    page = manager_client.get("/admin/purchasing/purchaseorder/").content.decode()

    assert order.number in page
    assert "R$ 90.00" in page  # 36 units at R$ 2.50
    assert "below R$ 100.00: not to send" in page


def test_a_manager_edits_a_draft_then_sends_it(manager_client, manager, order):
    cola, water = order.lines.order_by("product__sku")
    form = {
        "note": "Deliver before 10h",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "2",
        "lines-0-id": cola.pk,
        "lines-0-order": order.pk,
        "lines-0-product": cola.product_id,
        "lines-0-ordered": "36",
        "lines-0-unit_cost": "2.40",
        "lines-1-id": water.pk,
        "lines-1-order": order.pk,
        "lines-1-product": water.product_id,
        "lines-1-ordered": "12",
        "lines-1-unit_cost": "1.00",
        "lines-1-DELETE": "on",
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
    }
    saved = manager_client.post(url(order), form)
    assert saved.status_code == 302, saved.context["errors"]
    assert list(order.lines.values_list("product__sku", "ordered")) == [("COLA", 36)]

    sent = manager_client.post(url(order, "send"), follow=True)

    order.refresh_from_db()
    assert order.status == "sent"
    assert (order.sent_by, order.expected_on is not None) == (manager, True)
    assert f"{order.number} sent to Bebidas Sul." in messages_of(sent)
    (email,) = mail.outbox
    assert "Deliver before 10h" in email.body
    assert len(email.attachments) == 2
    page = manager_client.get(url(order)).content.decode()
    assert "Receive a delivery" in page
    assert "Send to the supplier" not in page


def test_send_is_refused_without_an_email_and_changes_nothing(manager_client, order):
    order.supplier.email = ""
    order.supplier.save()

    response = manager_client.post(url(order, "send"), follow=True)

    assert messages_of(response) == [
        f"Bebidas Sul has no e-mail address: add one to the supplier before "
        f"sending {order.number}."
    ]
    order.refresh_from_db()
    assert order.status == "draft"
    assert mail.outbox == []


def test_cancel_and_close_short(manager_client, manager, order):
    PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")
    order_receive(order_id=order.pk, lines=[("COLA", 10)], user=manager)

    refused = manager_client.post(url(order, "cancel"), follow=True)
    closed = manager_client.post(url(order, "close-short"), follow=True)

    assert "Close it short instead." in messages_of(refused)[0]
    assert messages_of(closed) == [f"{order.number} closed short."]
    order.refresh_from_db()
    assert (order.status, order.closed_short) == ("received", True)
    assert Product.objects.get(sku="COLA").stock == 12


def receive_form(order, **quantities):
    lines = {line.product.sku: line for line in order.lines.all()}
    data = {"idempotency_key": "form-1", "note": "", "extra_sku": "", "extra_qty": ""}
    for sku, qty in quantities.items():
        data[f"qty_{lines[sku].pk}"] = str(qty)
    return data


def test_the_receiving_page_books_a_partial_delivery(manager_client, order):
    PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")

    response = manager_client.post(
        url(order, "receive"), receive_form(order, COLA=10), follow=True
    )

    assert messages_of(response) == [
        f"10 unit(s) received on {order.number}: now partly received."
    ]
    order.refresh_from_db()
    assert order.status == "partial"
    assert StockMovement.objects.get(ref=order.number).delta == 10


def test_an_over_delivery_needs_a_note(manager_client, order):
    PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")
    data = receive_form(order, COLA=30, WATER=12)

    refused = manager_client.post(url(order, "receive"), data)
    data["note"] = "six extra, free"
    booked = manager_client.post(url(order, "receive"), data)

    assert "More than ordered arrived (COLA): say why in the note." in (
        refused.content.decode()
    )
    assert booked.status_code == 302
    assert StockMovement.objects.get(ref=order.number, product__sku="COLA").note == (
        "six extra, free; over-delivery: COLA +6"
    )


def test_a_product_not_ordered_is_booked_only_with_add_to_order(manager_client, order):
    PurchaseOrder.objects.filter(pk=order.pk).update(status="sent")
    data = receive_form(order, COLA=24) | {"extra_sku": "CHIPS", "extra_qty": "3"}

    refused = manager_client.post(url(order, "receive"), data)
    assert f"CHIPS is not on {order.number}." in refused.content.decode()
    assert not StockMovement.objects.filter(ref=order.number).exists()

    data["add_to_order"] = "on"
    manager_client.post(url(order, "receive"), data)

    added = order.lines.get(product__sku="CHIPS")
    assert (added.ordered, added.received, str(added.unit_cost)) == (3, 3, "4.00")
    assert Product.objects.get(sku="CHIPS").stock == 8


def test_the_receiving_page_refuses_a_draft(manager_client, order):
    response = manager_client.get(url(order, "receive"), follow=True)

    assert re.search(r"is Draft: nothing can be received", messages_of(response)[0])
