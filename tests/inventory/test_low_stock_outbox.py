"""A low-stock event is never lost and never written twice: with the broker
down at commit, with the storage failing, with a task lost on the way. The
open alert is the outbox row; the beat sweep finishes what a task left."""

import datetime
import json

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts.models import Recipient
from alerts.tasks import deliveries_sweep
from inventory.models import LowStockAlert, Product
from inventory.tasks import low_stock_events_sweep
from pitstop.celery import app as celery_app
from sales.services import sale_create
from tests.factories import ProductFactory

REFUSING_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class FlakyStorage(FileSystemStorage):
    """A reports folder that fails like an unreachable S3 `failures` times."""

    failures = 0

    def _save(self, name, content):
        if FlakyStorage.failures > 0:
            FlakyStorage.failures -= 1
            raise EndpointConnectionError(endpoint_url="https://s3.sa-east-1.aws")
        return super()._save(name, content)


@pytest.fixture
def inbox(db):
    return Recipient.objects.create(name="Ana", email="ana@pitstop.example")


@pytest.fixture
def flaky_storage(settings, reports_storage):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": f"{__name__}.FlakyStorage",
            "OPTIONS": {"location": reports_storage, "allow_overwrite": True},
        },
    }
    yield FlakyStorage
    FlakyStorage.failures = 0


@pytest.fixture
def broker_down():
    """Tasks go to a broker that refuses connections, until the test calls
    the returned function (the broker is back: tasks run in-process)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_write_url
    conf.broker_url = conf.broker_write_url = REFUSING_BROKER
    conf.task_always_eager = False
    celery_app.amqp._producer_pool = None

    def back():
        conf.broker_url, conf.broker_write_url = saved
        celery_app.amqp._producer_pool = None
        conf.task_always_eager = True

    yield back
    back()


@pytest.fixture
def minutes_later(monkeypatch):
    """Move the clock on, as the next runs of the beat sweep would see it."""

    def move(minutes: int) -> None:
        now = timezone.now() + datetime.timedelta(minutes=minutes)
        monkeypatch.setattr(timezone, "now", lambda: now)

    return move


def events(reports_storage) -> list[dict]:
    found = sorted((reports_storage / "events").rglob("*.json"))
    return [json.loads(path.read_text()) for path in found]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sale_with_the_broker_down_is_answered_and_its_alert_sent_once_later(
    clerk, inbox, reports_storage, broker_down, minutes_later
):
    ProductFactory(sku="DRK-001", name="Cola", stock=5, reorder_point=4)
    kiosk = APIClient()
    kiosk.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")
    sale = {"lines": [{"sku": "DRK-001", "qty": 1}], "idempotency_key": "k-1"}

    response = kiosk.post("/api/sales/", sale, format="json")

    assert response.status_code == 201, response.content
    assert kiosk.post("/api/sales/", sale, format="json").status_code == 200
    assert Product.objects.get().stock == 4
    alert = LowStockAlert.objects.get()
    assert (alert.is_open, alert.event_state) == (True, "pending")
    assert events(reports_storage) == []

    broker_down()  # the broker is back
    for minutes in (6, 12):  # two runs of the sweep, past the alert's due time
        minutes_later(minutes)
        low_stock_events_sweep()
        deliveries_sweep()

    (event,) = events(reports_storage)
    assert event["product"]["sku"] == "DRK-001"
    assert LowStockAlert.objects.get().event_state == "written"
    assert len(mail.outbox) == 1
    assert "Cola" in mail.outbox[0].subject


@pytest.mark.django_db
def test_an_event_write_failing_then_back_writes_one_event_and_one_alert(
    clerk, inbox, flaky_storage, reports_storage, django_capture_on_commit_callbacks
):
    ProductFactory(sku="DRK-001", stock=5, reorder_point=4)
    flaky_storage.failures = 3

    with django_capture_on_commit_callbacks(execute=True):
        sale_create(clerk=clerk, lines=[("DRK-001", 1)])

    assert len(events(reports_storage)) == 1
    alert = LowStockAlert.objects.get()
    assert (alert.event_state, alert.attempts, alert.error) == ("written", 3, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_event_failing_for_an_hour_shows_as_failed_and_can_be_tried_again(
    clerk,
    manager_client,
    inbox,
    flaky_storage,
    reports_storage,
    minutes_later,
    django_capture_on_commit_callbacks,
):
    ProductFactory(sku="DRK-001", name="Cola", stock=5, reorder_point=4)
    flaky_storage.failures = 10**6  # S3 stays unreachable…
    with django_capture_on_commit_callbacks(execute=True):
        sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    assert LowStockAlert.objects.get().event_state == "pending"  # still retrying
    minutes_later(61)  # …past the hour of retries
    low_stock_events_sweep()

    alert = LowStockAlert.objects.get()
    assert alert.event_state == "failed"
    assert "EndpointConnectionError" in alert.error
    changelist = reverse("admin:inventory_lowstockalert_changelist")
    page = manager_client.get(changelist + "?event_state__exact=failed")
    assert "Could not connect to the endpoint URL" in page.content.decode()

    flaky_storage.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            changelist, {"action": "try_again", "_selected_action": [alert.pk]}
        )

    alert.refresh_from_db()
    assert (alert.event_state, alert.error) == ("written", "")
    assert len(events(reports_storage)) == 1
    assert len(mail.outbox) == 1
