"""Work that leaves the database: queued after commit, never under a lock."""

import json
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from inventory.models import LowStockAlert, StockMovement
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


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True)
def low_stock_event_write(alert_id: int) -> str:
    """Write the low-stock event object that the alert function reads; not
    for an alert that a delivery closed before the task ran."""
    alert = LowStockAlert.objects.select_related("product__supplier", "movement").get(
        pk=alert_id
    )
    if not alert.is_open:
        log.info("low-stock alert %s was closed before its event was written", alert_id)
        return ""
    product = alert.product
    supplier = product.supplier
    event = {
        "schema": 1,
        "kind": "low_stock",
        # In the store's time: the alert function prints it as it finds it.
        "opened_at": timezone.localtime(alert.opened_at).isoformat(),
        "reason": alert.movement.reason,
        "product": {
            "sku": product.sku,
            "name": product.name,
            "stock": alert.stock_at_open,
            "reorder_point": alert.reorder_point,
            "par_level": product.par_level,
            "suggested_qty": max(product.par_level - alert.stock_at_open, 0),
            "supplier": supplier.name if supplier else "",
            "supplier_email": supplier.email if supplier else "",
        },
    }
    key = low_stock_event_key(alert)
    # The reports storage overwrites: a retry replaces the same key.
    key = storages["reports"].save(
        key, ContentFile(json.dumps(event, indent=2).encode())
    )
    object_stored.send(sender=LowStockAlert, key=key)
    return key
