"""Report tasks: thin, they take ISO dates or weeks and call one service.

Beat runs the *_due tasks (schedule in the data migration, editable in the
admin); report_daily and report_weekly build one period, retrying with backoff
when the storage or the network fails."""

import datetime
import logging

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.utils import timezone

from reports.models import Report
from reports.periods import day_period, week_of, week_period
from reports.services import report_build

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 7
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
RETRY = {
    "acks_late": True,
    "autoretry_for": STORAGE_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(**RETRY)
def report_daily(day: str) -> str:
    return report_build(period=day_period(day)).period


@shared_task(**RETRY)
def report_weekly(week: str) -> str:
    return report_build(period=week_period(week)).period


@shared_task(acks_late=True)
def reports_daily_due() -> list[str]:
    """Yesterday's report, and any day of the week before it that has none
    done (the server was down at close, a task was lost)."""
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(1, CATCH_UP_DAYS + 1)]
    done = set(
        Report.objects.filter(
            kind=Report.Kind.DAILY,
            status=Report.Status.DONE,
            period_start__in=days,
        ).values_list("period_start", flat=True)
    )
    due = [day.isoformat() for day in sorted(days) if day not in done]
    for day in due:
        report_daily.delay(day)
    log.info("daily reports queued: %s", ", ".join(due) or "none")
    return due


@shared_task(acks_late=True)
def reports_weekly_due() -> str:
    """Last ISO week's report."""
    week = week_of(timezone.localdate() - datetime.timedelta(days=7))
    report_weekly.delay(week)
    return week
