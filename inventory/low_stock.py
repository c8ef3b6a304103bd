"""Low-stock events: the object the alert function reads, one per crossing.

stock_moves opens the alert (inventory.services.track_crossing); these
services write its event to the reports storage after commit, record a
failure for the retry, and say which events the sweep must queue again."""

import json
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from inventory.models import LowStockAlert, Product, StockMovement
from inventory.selectors import low_stock_item, with_replenishment
from pitstop.outbox import failure_next, sweep_at
from pitstop.signals import object_stored

log = logging.getLogger(__name__)


def low_stock_event_key(alert: LowStockAlert) -> str:
    """events/low-stock/<store day>/<sku>-<sale id>.json (DESIGN.md); a crossing
    that no sale caused is named after its ledger row instead."""
    movement = alert.movement
    source = movement.ref if movement.reason == StockMovement.Reason.SALE else ""
    source = source or f"m{movement.pk}"
    day = timezone.localdate(alert.opened_at).isoformat()
    return f"events/low-stock/{day}/{alert.product.sku}-{source}.json"


def low_stock_event(alert: LowStockAlert) -> dict:
    """The event document (lambda_alert.parse reads it): the product as the
    replenishment rule sees it now (inventory.selectors)."""
    product = (
        with_replenishment(Product.objects.filter(pk=alert.product_id))
        .select_related("supplier")
        .get()
    )
    return {
        "schema": 1,
        "kind": "low_stock",
        # In the store's time: the alert function prints it as it finds it.
        "opened_at": timezone.localtime(alert.opened_at).isoformat(),
        "reason": alert.movement.reason,
        # What to order now, by the replenishment rule.
        "product": low_stock_item(product),
    }


def low_stock_event_write(*, alert_id: int) -> str:
    """Write the alert's event object, once; its key ("" for an alert that a
    delivery closed before the event was written). Storage errors are raised
    for the task to retry; writing the same key again replaces it."""
    alert = LowStockAlert.objects.select_related("product__supplier", "movement").get(
        pk=alert_id
    )
    if alert.event_state == LowStockAlert.EventState.WRITTEN:
        return alert.event_key
    if not alert.is_open:
        log.info("low-stock alert %s was closed before its event was written", alert_id)
        _update(alert_id, event_state=LowStockAlert.EventState.SKIPPED, retry_at=None)
        return ""
    key = low_stock_event_key(alert)
    body = json.dumps(low_stock_event(alert), indent=2).encode()
    key = storages["reports"].save(key, ContentFile(body))
    # Local mode records the alert to send (alerts.services.delivery_open).
    object_stored.send(sender=LowStockAlert, key=key)
    _update(
        alert_id,
        event_state=LowStockAlert.EventState.WRITTEN,
        event_key=key,
        error="",
        failing_since=None,
        retry_at=None,
    )
    return key


def low_stock_event_failed(*, alert_id: int, error: BaseException) -> float | None:
    """Record a failed write; seconds until the retry, or None: it has failed
    for an hour, and shows as failed in the admin."""
    with transaction.atomic():
        alert = LowStockAlert.objects.select_for_update().get(pk=alert_id)
        fields, delay = failure_next(
            attempts=alert.attempts + 1,
            failing_since=alert.failing_since,
            error=error,
        )
        if delay is None:
            fields["event_state"] = LowStockAlert.EventState.FAILED
        _update(alert_id, attempts=alert.attempts + 1, **fields)
    return delay


def low_stock_events_due() -> list[int]:
    """Open alerts whose event is pending and overdue; each is given a new
    sweep time, so that the next sweep does not queue it twice."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            LowStockAlert.objects.filter(
                closed_at__isnull=True,
                event_state=LowStockAlert.EventState.PENDING,
                retry_at__lte=now,
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        LowStockAlert.objects.filter(pk__in=due).update(retry_at=sweep_at(now))
    return due


def low_stock_events_retry(*, alert_ids: list[int]) -> list[int]:
    """The admin's "try again": failed events of open alerts go back to
    pending, with a fresh hour of retries; the ids to queue."""
    with transaction.atomic():
        again = list(
            LowStockAlert.objects.filter(
                pk__in=alert_ids,
                closed_at__isnull=True,
                event_state=LowStockAlert.EventState.FAILED,
            )
            .select_for_update()
            .values_list("pk", flat=True)
        )
        LowStockAlert.objects.filter(pk__in=again).update(
            event_state=LowStockAlert.EventState.PENDING,
            attempts=0,
            failing_since=None,
            retry_at=sweep_at(),
        )
    return again


def _update(alert_id: int, **fields) -> None:
    LowStockAlert.objects.filter(pk=alert_id).update(**fields)
