"""Sending a draft: claim, store and mail outside any transaction, finish. A
storage or mail failure leaves a draft to send again; a send that died
mid-way keeps others off the draft until its lease runs out."""

import datetime

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.mail import get_connection
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from purchasing.exceptions import OrderStateError, SendFailed
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import SEND_LEASE, order_cancel, order_send
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
    return order


@pytest.fixture
def storage_down(monkeypatch):
    def full_disk(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    return monkeypatch


def test_a_failing_storage_leaves_a_draft_that_sends_on_the_next_try(
    order, manager, storage_down, reports_storage
):
    with pytest.raises(SendFailed) as failed:
        order_send(order_id=order.pk, user=manager)

    assert failed.value.message == (
        f"{order.number} could not be sent (OSError: [Errno 28] No space left on "
        "device): it is still a draft and nothing was e-mailed; try again."
    )
    order.refresh_from_db()
    assert (order.status, order.sending_since, order.sent_at) == ("draft", None, None)
    assert mail.outbox == []

    storage_down.undo()
    order_send(order_id=order.pk, user=manager)

    order.refresh_from_db()
    assert (order.status, order.sent_by) == ("sent", manager)
    assert len(mail.outbox) == 1
    assert sorted(p.name for p in (reports_storage / "orders" / "po").iterdir()) == [
        f"{order.number}.csv",
        f"{order.number}.pdf",
    ]


def test_a_failing_mail_server_leaves_a_draft(order, manager, monkeypatch):
    def refused(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)

    with pytest.raises(SendFailed, match="it is still a draft and nothing was"):
        order_send(order_id=order.pk, user=manager)

    order.refresh_from_db()
    assert (order.status, order.sending_since) == ("draft", None)


def test_the_api_answers_503_when_the_order_could_not_be_sent(
    manager_client, order, storage_down
):
    response = manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    assert response.status_code == 503
    assert response.json()["error"] == "send_failed"
    assert "it is still a draft" in response.json()["message"]
    assert PurchaseOrder.objects.get().status == "draft"


def test_the_admin_says_why_the_order_was_not_sent(manager_client, order, storage_down):
    response = manager_client.post(
        f"/admin/purchasing/purchaseorder/{order.pk}/send/", follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith(f"{order.number} could not be sent (OSError:")
    assert PurchaseOrder.objects.get().status == "draft"


def claimed(order, *, ago: datetime.timedelta) -> None:
    """As if a send claimed it `ago` and died before finishing."""
    PurchaseOrder.objects.filter(pk=order.pk).update(sending_since=timezone.now() - ago)


def test_a_draft_being_sent_is_neither_sent_again_nor_cancelled(order, manager):
    claimed(order, ago=datetime.timedelta(minutes=1))

    with pytest.raises(OrderStateError, match=f"{order.number} is being sent"):
        order_send(order_id=order.pk, user=manager)
    with pytest.raises(OrderStateError, match="it cannot be cancelled now"):
        order_cancel(order_id=order.pk, user=manager)

    assert mail.outbox == []
    assert PurchaseOrder.objects.get().status == "draft"


def test_the_api_refuses_a_second_send_while_one_is_under_way(manager_client, order):
    claimed(order, ago=datetime.timedelta(seconds=5))

    response = manager_client.post(f"/api/purchase-orders/{order.number}/send/")

    assert response.status_code == 409
    assert response.json()["error"] == "invalid_status"
    assert mail.outbox == []


def test_a_send_that_died_can_be_retried_once_its_lease_is_over(order, manager):
    claimed(order, ago=SEND_LEASE + datetime.timedelta(seconds=1))

    order_send(order_id=order.pk, user=manager)

    order.refresh_from_db()
    assert (order.status, order.sending_since) == ("sent", None)
    assert len(mail.outbox) == 1


def test_the_lines_of_a_draft_being_sent_cannot_be_edited_in_the_admin(
    manager_client, order
):
    change = f"/admin/purchasing/purchaseorder/{order.pk}/change/"
    assert 'name="lines-0-ordered"' in manager_client.get(change).content.decode()
    claimed(order, ago=datetime.timedelta(seconds=5))

    page = manager_client.get(change).content.decode()

    assert 'name="lines-0-ordered"' not in page


def test_a_hung_mail_server_fails_a_send_well_inside_its_claim():
    """Otherwise the lease could run out mid-send and a retry mail it twice."""
    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")

    assert smtp.timeout is not None
    assert smtp.timeout * 3 < SEND_LEASE.total_seconds()
