"""Inventory tasks: thin, they take ids and call one service."""

from celery import shared_task

from inventory.low_stock import (
    low_stock_event_failed,
    low_stock_event_write,
    low_stock_events_due,
)
from pitstop.outbox import STORAGE_ERRORS, enqueue, retry_or_give_up


# Named as before the outbox, so that messages already queued still run.
@shared_task(bind=True, acks_late=True, name="inventory.tasks.low_stock_event_write")
def low_stock_event_write_task(self, alert_id: int) -> str:
    """Write one alert's event; storage errors retry with backoff for an hour."""
    try:
        return low_stock_event_write(alert_id=alert_id)
    except STORAGE_ERRORS as exc:
        delay = low_stock_event_failed(alert_id=alert_id, error=exc)
        retry_or_give_up(self, exc, delay)
        return ""


@shared_task(acks_late=True)
def low_stock_events_sweep() -> list[int]:
    """Beat, every minute: queue again the events a lost task left unwritten."""
    due = low_stock_events_due()
    for alert_id in due:
        enqueue(low_stock_event_write_task, alert_id)
    return due
