"""Local mode sends each alert once, through the Lambda's own pipeline (claim
the marker, send, finish), whatever the reports storage does meanwhile."""

import datetime
import json

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage, storages

from alerts.markers import FolderMarkers
from alerts.models import Delivery, Recipient
from alerts.services import alert_object
from alerts.tasks import deliveries_sweep
from lambda_alert import decide, sendonce
from lambda_alert.sendonce import ClaimHeld
from reports.periods import day_period
from reports.services import report_build
from sales.services import sale_create
from tests.factories import ProductFactory


class MarkersFailToSave(FileSystemStorage):
    """A reports folder where writing a marker through the storage fails."""

    def _save(self, name, content):
        if name.startswith("alerts/sent/"):
            raise OSError("No space left on device")
        return super()._save(name, content)


@pytest.fixture
def inbox(db):
    return Recipient.objects.create(name="Ana", email="ana@pitstop.example")


@pytest.fixture
def markers_fail(settings, reports_storage):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": f"{__name__}.MarkersFailToSave",
            "OPTIONS": {"location": reports_storage, "allow_overwrite": True},
        },
    }


def markers(reports_storage) -> list[dict]:
    return [
        json.loads(path.read_text())
        for path in sorted((reports_storage / "alerts" / "sent").rglob("*.json"))
    ]


@pytest.mark.django_db
def test_a_failing_marker_write_after_sending_sends_one_email(
    inbox, clerk, markers_fail, reports_storage, django_capture_on_commit_callbacks
):
    ProductFactory(sku="DRK-001", name="Cola", stock=5, reorder_point=4)

    with django_capture_on_commit_callbacks(execute=True):
        sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    with django_capture_on_commit_callbacks(execute=True):
        deliveries_sweep()  # nothing is left to send

    assert len(mail.outbox) == 1
    assert "Cola" in mail.outbox[0].subject
    assert Delivery.objects.get().status == "sent"
    # The claim stands, unfinished: no retry takes it over for the lease.
    (claim,) = markers(reports_storage)
    assert claim["status"] == "sending"


@pytest.mark.django_db
def test_a_claim_that_cannot_be_written_is_retried_and_sends_one_email(
    inbox, clerk, reports_storage, monkeypatch, django_capture_on_commit_callbacks
):
    ProductFactory(sku="DRK-001", stock=5, reorder_point=4)
    create = FolderMarkers.create
    failures = iter([OSError("disk I/O error")] * 2)

    def flaky_create(self, key, body):
        if (failure := next(failures, None)) is not None:
            raise failure
        return create(self, key, body)

    monkeypatch.setattr(FolderMarkers, "create", flaky_create)
    with django_capture_on_commit_callbacks(execute=True):
        sale_create(clerk=clerk, lines=[("DRK-001", 1)])

    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    (marker,) = markers(reports_storage)
    assert (marker["status"], marker["channels"]) == ("sent", ["email"])


@pytest.mark.django_db
def test_a_claim_held_by_a_live_sender_is_left_and_a_stale_one_taken_over(
    inbox, clerk, reports_storage, monkeypatch, settings
):
    settings.ALERT_CLAIM_LEASE_SECONDS = 90
    ProductFactory(sku="CHP-001", stock=2, reorder_point=5)
    report = report_build(period=day_period("2026-11-20"))
    key = report.files["summary.json"]
    alert = decide.alert_for(key, (reports_storage / key).read_bytes())
    marker = decide.marker_key("local", key, decide.marker_version(alert, ""))
    claim = decide.marker_record(
        source_key=key, sent_at=sendonce.now(), alert=alert, status="sending"
    )
    FolderMarkers(storages["reports"]).create(marker, sendonce.encode(claim))

    with pytest.raises(ClaimHeld):
        alert_object(key=key)
    assert mail.outbox == []

    later = sendonce.now() + datetime.timedelta(seconds=91)
    monkeypatch.setattr(sendonce, "now", lambda: later)
    assert alert_object(key=key)["status"] == "sent"
    assert alert_object(key=key) is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_regenerated_report_sends_no_second_digest(
    inbox, django_capture_on_commit_callbacks
):
    ProductFactory(sku="CHP-001", name="Ruffles", stock=2, reorder_point=5)
    period = day_period("2026-11-20")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            report_build(period=period)

    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == "skipped"  # the second: nothing new


@pytest.mark.django_db
def test_a_regenerated_report_whose_low_stock_list_changed_sends_a_new_digest(
    inbox, django_capture_on_commit_callbacks
):
    ProductFactory(sku="CHP-001", name="Ruffles", stock=2, reorder_point=5)
    period = day_period("2026-11-20")
    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=period)

    ProductFactory(sku="DRK-005", name="Água", stock=1, reorder_point=1)
    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=period)

    first, second = mail.outbox
    assert "Água" not in first.body
    assert "Água" in second.body and "Ruffles" in second.body
