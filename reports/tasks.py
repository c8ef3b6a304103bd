"""Report tasks: thin, they take ISO dates or weeks and call one service.

Beat runs the *_due tasks (schedule in the data migration, editable in the
admin) and the sweep every minute; report_daily and report_weekly build one
period, retrying storage and network errors with backoff for an hour."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from pitstop.outbox import STORAGE_ERRORS, enqueue, enqueue_on_commit, retry_or_give_up
from reports.models import Report
from reports.periods import Period, day_period, week_of, week_period
from reports.services import report_build, report_failed, report_request, reports_due

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 7


def _build(task, period: Period) -> str:
    try:
        # Yesterday's report is the daily close, which also replenishes.
        close = period.kind == "daily" and period.end == timezone.localdate()
        return report_build(period=period, replenish_drafts=close).period
    except STORAGE_ERRORS as exc:
        attempt = task.request.retries + 1
        delay = report_failed(period=period, error=exc, attempt=attempt)
        retry_or_give_up(task, exc, delay)
        return ""


@shared_task(bind=True, acks_late=True)
def report_daily(self, day: str) -> str:
    return _build(self, day_period(day))


@shared_task(bind=True, acks_late=True)
def report_weekly(self, week: str) -> str:
    return _build(self, week_period(week))


def report_queue(period: Period) -> None:
    """Record the report as wanted and queue its build after commit."""
    report_request(period=period)
    task = report_daily if period.kind == Report.Kind.DAILY else report_weekly
    enqueue_on_commit(task, period.label)


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
        report_queue(day_period(day))
    log.info("daily reports queued: %s", ", ".join(due) or "none")
    return due


@shared_task(acks_late=True)
def reports_weekly_due() -> str:
    """Last ISO week's report."""
    week = week_of(timezone.localdate() - datetime.timedelta(days=7))
    report_queue(week_period(week))
    return week


@shared_task(acks_late=True)
def reports_sweep() -> list[str]:
    """Beat, every minute: queue again the builds a lost task left."""
    due = reports_due()
    for report in due:
        task = report_daily if report.kind == Report.Kind.DAILY else report_weekly
        enqueue(task, report.period)
    return [report.period for report in due]
