"""The only code that changes stock. Every change locks the product rows (in
primary-key order, through products_lock) and writes its ledger row in the same
transaction as the counter."""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.exceptions import InsufficientStock
from inventory.models import LowStockAlert, Product, StockMovement, Supplier
from inventory.tasks import low_stock_event_write

LOCK_CHUNK = 5000


def products_lock(*, ids: Iterable[int]) -> dict[int, Product]:
    """Lock product rows in pk order; every stock writer goes through here so
    that two writers never wait on each other in opposite orders."""
    ordered = sorted(set(ids))
    locked: dict[int, Product] = {}
    # Chunks keep each query under the driver's parameter limit; taken in
    # ascending order, they keep the global pk order too.
    for start in range(0, len(ordered), LOCK_CHUNK):
        chunk = ordered[start : start + LOCK_CHUNK]
        rows = Product.objects.filter(pk__in=chunk).order_by("pk").select_for_update()
        locked.update((p.pk, p) for p in rows)
    return locked


def stock_move(
    *,
    product: Product,
    delta: int,
    reason: StockMovement.Reason,
    ref: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> StockMovement:
    """Change stock and append the ledger row. Caller holds the row lock.

    A crossing of the reorder point opens or closes the product's low-stock
    alert in the same transaction (see track_crossing)."""
    if product.stock + delta < 0:
        raise InsufficientStock(
            sku=product.sku, name=product.name, available=product.stock, wanted=-delta
        )
    was_low = product.is_low
    product.stock += delta
    product.save(update_fields=["stock", "updated_at"])
    movement = StockMovement.objects.create(
        product=product,
        delta=delta,
        reason=reason,
        ref=ref,
        note=note,
        user=user,
        stock_after=product.stock,
    )
    track_crossing(product=product, was_low=was_low, movement=movement)
    return movement


def track_crossing(*, product: Product, was_low: bool, movement: StockMovement) -> None:
    """Open the low-stock alert on a crossing down (queueing its event after
    commit) or close it on a crossing up. Caller holds the row lock."""
    if product.is_low and not was_low:
        alert = LowStockAlert.objects.create(
            product=product,
            movement=movement,
            stock_at_open=product.stock,
            reorder_point=product.reorder_point,
        )
        low_stock_event_write.delay_on_commit(alert.pk)
    elif was_low and not product.is_low:
        product.low_stock_alerts.filter(closed_at__isnull=True).update(
            closed_at=movement.created_at
        )


def stock_receive(
    *,
    supplier: Supplier | None,
    quantities: Mapping[int, int],
    reference: str = "",
    user: AbstractBaseUser | None = None,
) -> list[StockMovement]:
    """Book a delivery of several products at once. Locks those products."""
    if not quantities:
        raise ValidationError("A receipt needs at least one product.")
    for qty in quantities.values():
        if qty <= 0:
            raise ValidationError("Received quantities must be 1 or more.")
    note = f"from {supplier.name}" if supplier else ""
    with transaction.atomic():
        products = products_lock(ids=quantities)
        missing = set(quantities) - set(products)
        if missing:
            raise ValidationError(f"Unknown product id(s): {sorted(missing)}")
        return [
            stock_move(
                product=products[pk],
                delta=quantities[pk],
                reason=StockMovement.Reason.RECEIPT,
                ref=reference,
                note=note,
                user=user,
            )
            for pk in sorted(quantities)
        ]


def stock_count(
    *,
    counts: Mapping[int, int],
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> list[StockMovement]:
    """Stocktake: set stock to what was counted, booking each difference as an
    adjustment. Locks those products; a product counted as it stands gets no row."""
    for counted in counts.values():
        if counted < 0:
            raise ValidationError("A counted quantity cannot be negative.")
    with transaction.atomic():
        products = products_lock(ids=counts)
        missing = set(counts) - set(products)
        if missing:
            raise ValidationError(f"Unknown product id(s): {sorted(missing)}")
        return [
            stock_move(
                product=products[pk],
                delta=counts[pk] - products[pk].stock,
                reason=StockMovement.Reason.ADJUSTMENT,
                ref="stocktake",
                note=note,
                user=user,
            )
            for pk in sorted(counts)
            if counts[pk] != products[pk].stock
        ]
