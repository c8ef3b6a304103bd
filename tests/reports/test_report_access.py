"""Managers download reports from the admin; clerks see none of it."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.periods import day_period
from reports.services import report_build

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def report(store_day):
    return report_build(period=day_period(store_day))


def test_the_manager_sees_the_report_and_downloads_each_file(manager_client, report):
    page = manager_client.get(reverse("admin:reports_report_changelist"))

    assert page.status_code == 200
    html = page.content.decode()
    for name, key in report.files.items():
        url = f"/reports/files/{key}"
        assert url in html
        download = manager_client.get(url)
        assert download.status_code == 200, name
        assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert b"".join(
        manager_client.get(f"/reports/files/{report.files['report.pdf']}")
    ).startswith(b"%PDF")


def test_a_clerk_gets_403_on_every_report_file(clerk_client, report):
    for key in report.files.values():
        assert clerk_client.get(f"/reports/files/{key}").status_code == 403


def test_a_clerk_gets_no_reports_admin(clerk_client, report):
    for url in (
        reverse("admin:reports_report_changelist"),
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_report_generate"),
    ):
        response = clerk_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_only_report_and_order_files_are_served(
    manager_client, report, reports_storage
):
    (reports_storage / "events").mkdir()
    (reports_storage / "events" / "x.json").write_text("{}")

    assert manager_client.get("/reports/files/events/x.json").status_code == 404
    assert (
        manager_client.get("/reports/files/reports/../events/x.json").status_code == 404
    )
    assert manager_client.get("/reports/files/reports/none.csv").status_code == 404


@pytest.mark.parametrize(
    "key",
    [
        "reports/daily/",  # a folder
        "reports/daily/2026-11-20",  # a folder, no slash
        "reports/daily/2026-11-20/sales.csv%00",  # a NUL
        "reports/%00/sales.csv",
        "reports/" + "x" * 300 + ".csv",  # longer than a file name may be
        "reports/" + "a/" * 3000 + "b.csv",  # longer than a path may be
        "orders/%2e%2e/%2e%2e/pitstop/settings.py",
    ],
)
def test_a_name_that_is_no_file_is_a_404(manager_client, report, key):
    client = manager_client
    client.raise_request_exception = False

    assert client.get(f"/reports/files/{key}").status_code == 404


def test_generate_now_from_the_admin_builds_the_report(
    manager_client, store_day, django_capture_on_commit_callbacks
):
    url = reverse("admin:reports_report_generate")

    refused = manager_client.post(url, {"kind": "daily", "period": "2999-01-01"})
    assert "in the future" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = manager_client.post(url, {"kind": "daily", "period": "2026-11-20"})

    assert done.status_code == 302
    assert Report.objects.get().status == "done"


def test_generate_again_action_rebuilds_the_selected_reports(
    manager_client, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("admin:reports_report_changelist"),
            {"action": "generate_again", "_selected_action": [report.pk]},
        )

    report.refresh_from_db()
    assert report.attempts == 2


def test_the_command_prints_the_keys_it_wrote(store_day, capsys):
    call_command("generate_report", "daily", "--date", "2026-11-20")

    assert capsys.readouterr().out.split() == [
        "reports/daily/2026-11-20/sales.csv",
        "reports/daily/2026-11-20/restock.csv",
        "reports/daily/2026-11-20/waste.csv",
        "reports/daily/2026-11-20/report.pdf",
        "reports/daily/2026-11-20/summary.json",
    ]


def test_the_command_backfills_up_to_yesterday_with_a_progress_bar(db, capsys):
    today = timezone.localdate()
    days = [(today - datetime.timedelta(days=n)).isoformat() for n in (3, 2, 1)]

    call_command("generate_report", "daily", "--since", days[0])

    assert [r.period for r in Report.objects.order_by("period")] == days
    assert f"3/3 {days[-1]}" in capsys.readouterr().err


def test_the_weekly_backfill_stops_at_the_last_complete_week(db, capsys):
    today = timezone.localdate()

    call_command("generate_report", "weekly", "--since", today.isoformat())
    assert not Report.objects.exists()
    call_command(
        "generate_report", "weekly", "--since", str(today - datetime.timedelta(days=7))
    )

    (report,) = Report.objects.all()
    assert report.period_end <= today


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--date", "2026-02-30"], "not a date"),
        (["daily", "--date", "2999-01-01"], "in the future"),
        (["weekly", "--week", "2026-W60"], "not an ISO week"),
        (["daily", "--week", "2026-W47"], "Use --date with daily"),
    ],
)
def test_the_command_refuses_bad_periods(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_report", *args)
    assert not Report.objects.exists()
