"""Alert tasks: thin, they take keys or ids and call one service."""

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task

from alerts.services import (
    alert_object,
    recipient_subscriptions_sync,
    subscriptions_remove,
)

RETRY = {
    "acks_late": True,
    "autoretry_for": (OSError, BotoCoreError, ClientError),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": 10,
}


@shared_task(**RETRY)
def alert_object_task(key: str) -> dict | None:
    return alert_object(key=key)


def alert_object_stored(sender, *, key: str, **kwargs) -> None:
    """Receiver of pitstop.signals.object_stored in local mode."""
    alert_object_task.delay_on_commit(key)


@shared_task(**RETRY)
def recipient_subscriptions_sync_task(recipient_id: int) -> None:
    recipient_subscriptions_sync(recipient_id=recipient_id)


@shared_task(**RETRY)
def subscriptions_remove_task(arns: list[str]) -> None:
    subscriptions_remove(arns=arns)
