"""Alert tasks: thin, they take keys or ids and call one service."""

from celery import shared_task

from alerts.services import (
    deliveries_due,
    delivery_failed,
    delivery_open,
    delivery_send,
    recipient_subscriptions_sync,
    subscriptions_remove,
)
from lambda_alert.sendonce import ClaimHeld
from pitstop.outbox import (
    STORAGE_ERRORS,
    enqueue,
    enqueue_on_commit,
    retry_or_give_up,
)

RETRY = {
    "acks_late": True,
    "autoretry_for": STORAGE_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": 10,
}


@shared_task(bind=True, acks_late=True)
def alert_object_task(self, key: str) -> dict | None:
    """Send one delivery; storage, mail and busy-claim errors retry with
    backoff for an hour, then it shows as failed in the admin."""
    try:
        return delivery_send(key=key)
    except (*STORAGE_ERRORS, ClaimHeld) as exc:
        retry_or_give_up(self, exc, delivery_failed(key=key, error=exc))
        return None


@shared_task(acks_late=True)
def deliveries_sweep() -> list[str]:
    """Beat, every minute: queue again the deliveries a lost task left."""
    due = deliveries_due()
    for key in due:
        enqueue(alert_object_task, key)
    return due


def alert_object_stored(sender, *, key: str, **kwargs) -> None:
    """Receiver of pitstop.signals.object_stored in local mode: the outbox row
    first, then the task (after commit; the sweep if the broker is down)."""
    delivery_open(key=key)
    enqueue_on_commit(alert_object_task, key)


@shared_task(**RETRY)
def recipient_subscriptions_sync_task(recipient_id: int) -> None:
    recipient_subscriptions_sync(recipient_id=recipient_id)


@shared_task(**RETRY)
def subscriptions_remove_task(arns: list[str]) -> None:
    subscriptions_remove(arns=arns)
