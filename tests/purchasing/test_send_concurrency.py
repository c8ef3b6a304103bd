"""Sending at the same moment as another send or as `replenish`, on
PostgreSQL with real threads and connections: one e-mail per order, and what
the supplier receives is what the order says."""

import csv
import io
import threading
import time

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage

from inventory.models import Product
from purchasing.exceptions import OrderStateError
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import order_send, replenish
from tests.factories import ProductFactory, SupplierFactory, UserFactory
from tests.sales.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelf():
    drinks = SupplierFactory(name="Bebidas Sul", lead_time_days=2)
    return {
        sku: ProductFactory(
            sku=sku, supplier=drinks, stock=stock, reorder_point=3, par_level=24
        )
        for sku, stock in (("COLA", 2), ("WATER", 1), ("JUICE", 20))
    }


def mailed_lines(message) -> dict[str, int]:
    """{sku: quantity} from the CSV attached to the supplier's e-mail."""
    (text,) = [content for name, content, _ in message.attachments if ".csv" in name]
    if isinstance(text, bytes):
        text = text.decode()
    return {
        row["sku"]: int(row["quantity"]) for row in csv.DictReader(io.StringIO(text))
    }


def lines_of(order: PurchaseOrder) -> dict[str, int]:
    return dict(order.lines.values_list("product__sku", "ordered"))


def slow_storage(monkeypatch, seconds: float = 0.3):
    save = FileSystemStorage._save

    def slowly(self, name, content):
        time.sleep(seconds)
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", slowly)


def test_two_managers_sending_one_draft_at_once_send_one_email(shelf, monkeypatch):
    replenish()
    draft = PurchaseOrder.objects.get()
    managers = [UserFactory(), UserFactory()]
    slow_storage(monkeypatch)  # the two sends overlap while one stores

    results = run_at_once(
        [lambda m=m: order_send(order_id=draft.pk, user=m) for m in managers]
    )

    sent = [r for r in results if isinstance(r, PurchaseOrder)]
    refused = [r for r in results if isinstance(r, OrderStateError)]
    assert (len(sent), len(refused)) == (1, 1), results
    assert f"{draft.number} is being sent" in refused[0].message
    (message,) = mail.outbox
    draft.refresh_from_db()
    assert (draft.status, draft.sending_since) == ("sent", None)
    assert draft.sent_by == sent[0].sent_by
    assert mailed_lines(message) == lines_of(draft) == {"COLA": 22, "WATER": 23}


def test_replenish_during_a_send_leaves_the_order_being_sent_alone(shelf, monkeypatch):
    """replenish runs while the send stores its PDF: it neither adds JUICE
    (now low) to the order being mailed nor changes COLA's quantity; the next
    run drafts JUICE in a new draft."""
    replenish()
    draft = PurchaseOrder.objects.get()
    Product.objects.filter(sku="JUICE").update(stock=1)  # now needs ordering
    Product.objects.filter(sku="COLA").update(stock=0)  # needs 2 more
    storing, replenished = threading.Event(), threading.Event()
    save = FileSystemStorage._save

    def store_while_replenish_runs(self, name, content):
        storing.set()
        assert replenished.wait(30), "replenish did not finish"
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", store_while_replenish_runs)

    def replenish_once_storing():
        assert storing.wait(30), "the send never started storing"
        try:
            return replenish()
        finally:
            replenished.set()

    results = run_at_once(
        [
            lambda: order_send(order_id=draft.pk, user=UserFactory()),
            replenish_once_storing,
        ]
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    (message,) = mail.outbox
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert mailed_lines(message) == lines_of(draft) == {"COLA": 22, "WATER": 23}
    assert list(PurchaseOrder.objects.values_list("status", flat=True)) == ["sent"]

    replenish()

    new = PurchaseOrder.objects.get(status="draft")
    assert new.supplier_id == draft.supplier_id
    assert lines_of(new) == {"JUICE": 23}
    assert lines_of(draft) == {"COLA": 22, "WATER": 23}


@pytest.mark.parametrize("attempt", range(3))
def test_send_racing_replenish_mails_exactly_what_the_order_holds(
    shelf, monkeypatch, attempt
):
    """No choreography: whichever wins, the order mailed is the order kept,
    and nothing on it is drafted again."""
    replenish()
    draft = PurchaseOrder.objects.get()
    Product.objects.filter(sku="JUICE").update(stock=1)
    Product.objects.filter(sku="COLA").update(stock=0)
    slow_storage(monkeypatch, seconds=0.05 * attempt)

    results = run_at_once(
        [lambda: order_send(order_id=draft.pk, user=UserFactory()), replenish]
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    (message,) = mail.outbox
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert mailed_lines(message) == lines_of(draft)
    replenish()
    ordered = sorted(
        PurchaseOrderLine.objects.values_list("product__sku", "order__status")
    )
    # JUICE went on the order if replenish ran first, else on a new draft.
    assert ordered in (
        [("COLA", "sent"), ("JUICE", "draft"), ("WATER", "sent")],
        [("COLA", "sent"), ("JUICE", "sent"), ("WATER", "sent")],
    )


def test_no_transaction_is_open_while_storing_and_mailing(shelf, monkeypatch):
    """Storage and mail can take seconds: no row stays locked meanwhile."""
    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection

    replenish()
    draft = PurchaseOrder.objects.get()
    seen = []
    save, send = FileSystemStorage._save, EmailBackend.send_messages

    def save_seen(self, name, content):
        seen.append(("store", connection.in_atomic_block))
        return save(self, name, content)

    def send_seen(self, messages):
        seen.append(("mail", connection.in_atomic_block))
        return send(self, messages)

    monkeypatch.setattr(FileSystemStorage, "_save", save_seen)
    monkeypatch.setattr(EmailBackend, "send_messages", send_seen)

    order_send(order_id=draft.pk, user=UserFactory())

    assert seen == [("store", False), ("store", False), ("mail", False)]
