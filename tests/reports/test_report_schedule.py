import datetime
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from pitstop.celery import app as celery_app
from reports.models import Report
from reports.tasks import report_daily, reports_daily_due
from tests.factories import ProductFactory


@pytest.mark.django_db
def test_after_migrate_beat_has_the_daily_and_weekly_reports():
    tasks = {
        t.task: (t.crontab.minute, t.crontab.hour, t.crontab.day_of_week)
        for t in PeriodicTask.objects.filter(
            enabled=True, crontab__isnull=False
        ).select_related("crontab")
    }

    assert tasks["reports.tasks.reports_daily_due"] == ("10", "0", "*")
    assert tasks["reports.tasks.reports_weekly_due"] == ("20", "0", "1")
    zones = PeriodicTask.objects.values_list("crontab__timezone", flat=True)
    assert {str(z) for z in zones if z} == {settings.TIME_ZONE}


@pytest.mark.django_db
def test_after_migrate_beat_sweeps_the_outboxes_every_minute():
    sweeps = {
        t.task: (t.interval.every, t.interval.period)
        for t in PeriodicTask.objects.filter(
            enabled=True, interval__isnull=False
        ).select_related("interval")
    }

    assert sweeps == {
        "inventory.tasks.low_stock_events_sweep": (1, "minutes"),
        "alerts.tasks.deliveries_sweep": (1, "minutes"),
        "reports.tasks.reports_sweep": (1, "minutes"),
    }


@pytest.mark.django_db
def test_the_daily_run_fills_every_missing_day_of_the_last_week(
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    two_days_ago = today - datetime.timedelta(days=2)
    report_daily(two_days_ago.isoformat())  # already made

    with django_capture_on_commit_callbacks(execute=True):
        queued = reports_daily_due()

    expected = [
        (today - datetime.timedelta(days=n)).isoformat()
        for n in range(7, 0, -1)
        if n != 2
    ]
    assert queued == expected
    done = Report.objects.filter(kind="daily", status="done")
    assert done.count() == 7
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_daily_due() == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report_from_the_queue(tmp_path, reports_storage):
    """A Celery worker in its own process, on the configured broker (Redis in
    CI, the filesystem transport otherwise) and the test database."""
    ProductFactory(sku="COLA", stock=3)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PITSTOP_REPORTS_DIR": str(reports_storage),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pitstop",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        report_daily.apply_async(args=[yesterday], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Report.objects.filter(status="done").exists():
                break
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.5)
    finally:
        worker.terminate()
        log = worker.communicate(timeout=30)[0]

    report = Report.objects.get()
    assert report.status == "done", log
    assert (reports_storage / report.files["summary.json"]).exists()
    assert "succeeded" in log
