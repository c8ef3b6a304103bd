"""A report whose storage fails is built again with backoff for an hour, then
shows as failed in the admin, where "Try again" builds it."""

import datetime

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.tasks import report_daily, reports_sweep

DAY = "2026-11-20"


@pytest.fixture
def s3_down(monkeypatch):
    """The reports storage fails like an unreachable S3 while `left[0]` > 0."""
    storage = storages["reports"]
    save = storage.save
    left = [0]

    def failing_save(name, content, **kwargs):
        if left[0] > 0:
            left[0] -= 1
            raise EndpointConnectionError(endpoint_url="https://s3.sa-east-1.aws")
        return save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", failing_save)
    return left


@pytest.mark.django_db
def test_a_report_whose_storage_fails_twice_is_built_by_the_retries(s3_down):
    s3_down[0] = 2

    report_daily.delay(DAY)

    report = Report.objects.get()
    assert (report.status, report.attempts, report.error) == ("done", 3, "")
    assert report.retry_at is None


@pytest.mark.django_db
def test_a_report_failing_for_an_hour_shows_failed_and_try_again_builds_it(
    s3_down, manager_client, monkeypatch, django_capture_on_commit_callbacks
):
    s3_down[0] = 10**6
    report_daily.delay(DAY)
    assert Report.objects.get().status == "queued"  # still retrying

    later = timezone.now() + datetime.timedelta(minutes=91)
    monkeypatch.setattr(timezone, "now", lambda: later)
    reports_sweep()
    report = Report.objects.get()
    assert report.status == "failed"
    changelist = reverse("admin:reports_report_changelist")
    assert "Could not connect" in manager_client.get(changelist).content.decode()

    s3_down[0] = 0
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            changelist, {"action": "generate_again", "_selected_action": [report.pk]}
        )

    report.refresh_from_db()
    assert (report.status, report.error) == ("done", "")
