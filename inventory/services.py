"""The only code that changes stock. Every change locks the product rows (in
primary-key order, through products_lock) and writes its ledger row in the same
transaction as the counter."""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.exceptions import InsufficientStock
from inventory.lots import (
    Picks,
    lot_moves_cte,
    lot_moves_rows,
    lot_moves_write,
    lots_create,
    lots_plan,
    lots_read,
)
from inventory.models import LowStockAlert, Product, StockMovement, Supplier
from inventory.tasks import low_stock_event_write_task
from pitstop.clock import store_today
from pitstop.outbox import enqueue_on_commit, sweep_at

LOCK_CHUNK = 5000
WRITE_CHUNK = 1000  # rows per UPDATE: under SQLite's 32,766 parameters


def products_lock(
    *, ids: Iterable[int] = (), skus: Iterable[str] = ()
) -> dict[int, Product]:
    """Lock product rows, chosen by id or by sku, in pk order; every stock
    writer goes through here so that two writers never wait on each other in
    opposite orders."""
    if skus:
        # A sale's skus (at most 100): one query, locked in the ORDER BY's order.
        rows = Product.objects.filter(sku__in=set(skus)).order_by("pk")
        return {p.pk: p for p in rows.select_for_update()}
    ordered = sorted(set(ids))
    locked: dict[int, Product] = {}
    # Chunks keep each query under the driver's parameter limit; taken in
    # ascending order, they keep the global pk order too.
    for start in range(0, len(ordered), LOCK_CHUNK):
        chunk = ordered[start : start + LOCK_CHUNK]
        rows = Product.objects.filter(pk__in=chunk).order_by("pk").select_for_update()
        locked.update((p.pk, p) for p in rows)
    return locked


def stock_moves(
    *,
    changes: Sequence[tuple[Product, int]],
    reason: StockMovement.Reason | Sequence[StockMovement.Reason],
    ref: str = "",
    note: str = "",
    user: AbstractBaseUser | None = None,
    expires_on: Sequence[datetime.date | None] | None = None,
    lots: Sequence[Picks | None] | None = None,
    allow_past_expiry: bool = False,
) -> list[StockMovement]:
    """Change the stock of several products and append their ledger rows: one
    `UPDATE … FROM (VALUES …)` and one insert per 1,000, so a sale of one line
    and an import of 50,000 take the same path. Caller holds the row locks.
    Refuses the whole change before writing anything: InsufficientStock (or
    ExpiredStock, ExpiryMissing, ExpiryInPast, LotOverdrawn below).

    `reason` is one for every change or one per change. A product may come more
    than once (a returned unit written off: `return` then `waste`); its changes
    apply in order. A crossing of the reorder point, from before the first
    change to after the last, opens or closes the product's low-stock alert in
    the same transaction (see track_crossings).

    Products that track expiry keep their lots in step (inventory.lots):
    `expires_on`, one per change or None, dates the units coming in (required
    for a receipt; a past date only with allow_past_expiry); `lots`, one per
    change or None, names the lots a change takes from or gives back to,
    [(lot id, units)]. Without them a sale takes the sellable lots
    first-expiring-first-out. The lots cost one query (their read) when a
    tracked product is among the changes, none otherwise."""
    reasons = [reason] * len(changes) if isinstance(reason, str) else list(reason)
    expiries = [None] * len(changes) if expires_on is None else list(expires_on)
    picks = [None] * len(changes) if lots is None else list(lots)
    if not len(reasons) == len(expiries) == len(picks) == len(changes):
        raise ValueError("One reason, expiry, lots for all the changes, or each.")
    plan = None
    if any(product.tracks_expiry for product, _delta in changes):
        plan = lots_plan(
            changes=changes,
            reasons=reasons,
            expires_on=expiries,
            picks=picks,
            lots=lots_read(
                product_ids={p.pk for p, _delta in changes if p.tracks_expiry},
                named={pk for named in picks if named for pk, _units in named},
            ),
            today=store_today(),
            allow_past_expiry=allow_past_expiry,
        )
    elif any(picks):
        raise ValueError("Lots named for products that do not track expiry.")
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    for product, delta in changes:
        before.setdefault(product.pk, product.stock)
        available = after.get(product.pk, product.stock)
        if available + delta < 0:
            raise InsufficientStock(
                sku=product.sku,
                name=product.name,
                available=available,
                wanted=-delta,
            )
        after[product.pk] = available + delta
    now = timezone.now()
    was_low: dict[int, bool] = {}
    for product, _delta in changes:
        was_low.setdefault(product.pk, product.is_low)
    stock_after = []
    for product, delta in changes:
        product.stock += delta
        product.updated_at = now
        stock_after.append(product.stock)
    if plan and plan.new:
        lots_create(lots=plan.new, ref=ref)
    movements = StockMovement.objects.bulk_create(
        [
            StockMovement(
                product=product,
                delta=delta,
                reason=why,
                ref=ref,
                note=note,
                user=user,
                created_at=now,
                stock_after=stock,
                unit_cost=product.cost,
            )
            for (product, delta), why, stock in zip(
                changes, reasons, stock_after, strict=True
            )
        ],
        batch_size=WRITE_CHUNK,
    )
    lot_rows = lot_moves_rows(plan=plan, movements=movements) if plan else []
    folded = lot_moves_cte(lot_rows)
    if lot_rows and not folded:
        lot_moves_write(lot_rows)
    _stock_write(before=before, after=after, now=now, prefix=folded)
    # One movement per product (its last): the crossing is from before the
    # first change to after the last.
    last = {movement.product.pk: movement for movement in movements}
    track_crossings(movements=list(last.values()), was_low=was_low)
    return movements


def _stock_write(
    *,
    before: Mapping[int, int],
    after: Mapping[int, int],
    now,
    prefix: tuple[str, list] | None = None,
) -> None:
    """Add each product's net change to its stock, one
    `WITH v(id, delta) AS (VALUES …) UPDATE … FROM v RETURNING` per 1,000
    products, and check that the stock the database returns is the one
    computed from the locked rows: a caller that passed a product it had not
    locked (or read before another writer) gets an error, and its transaction
    is rolled back, instead of a ledger that disagrees with the counter.
    `prefix`, (SQL, params) of common table expressions (a sale's lot moves,
    inventory.lots.lot_moves_cte), goes into the first statement."""
    pks = list(after)
    table = connection.ops.quote_name(Product._meta.db_table)
    stamp = Product._meta.get_field("updated_at").get_db_prep_save(now, connection)
    if connection.vendor == "postgresql":
        row = "(CAST(%s AS bigint), CAST(%s AS integer))"
    else:
        row = "(%s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(pks), WRITE_CHUNK):
            chunk = pks[start : start + WRITE_CHUNK]
            params: list = []
            for pk in chunk:
                params += [pk, after[pk] - before[pk]]
            ctes, head = "", []
            if prefix and start == 0:
                ctes, head = f"{prefix[0]}, ", list(prefix[1])
            cursor.execute(
                f"WITH {ctes}v(id, delta) AS (VALUES {', '.join([row] * len(chunk))})"
                f" UPDATE {table} SET stock = {table}.stock + v.delta,"
                f" updated_at = %s FROM v WHERE {table}.id = v.id"
                f" RETURNING {table}.id, {table}.stock",
                [*head, *params, stamp],
            )
            written = dict(cursor.fetchall())
            wrong = {pk for pk in chunk if written.get(pk) != after[pk]}
            if wrong:
                raise RuntimeError(
                    f"Stock of product(s) {sorted(wrong)} changed since they were "
                    "read: lock them with products_lock before stock_moves."
                )


def products_write(*, products: Sequence[Product], fields: Iterable[str]) -> None:
    """Write these fields of these products as they hold them: one
    `WITH v(…) AS (VALUES …) UPDATE … FROM v` per 1,000 rows, on PostgreSQL and
    SQLite alike (bulk_update builds a CASE per field and row in Python:
    50,000 rows took it 70 s and 800 MB). Caller holds the row locks; the
    stock field is stock_moves' alone."""
    fields = [Product._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields]
    # PostgreSQL types each parameter: cast it to its column's type. SQLite has
    # no column types to match (and its CAST AS datetime would mangle values).
    if connection.vendor == "postgresql":
        casts = [f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields]
    else:
        casts = ["%s"] * len(fields)
    row = f"({', '.join(['%s', *casts])})"
    table = quote(Product._meta.db_table)
    head = f"WITH v(id, {', '.join(columns)}) AS (VALUES "
    tail = (
        f") UPDATE {table} SET {', '.join(f'{c} = v.{c}' for c in columns)} "
        f"FROM v WHERE {table}.id = v.id"
    )
    chunk_rows = min(WRITE_CHUNK, 30_000 // (len(fields) + 1))
    with connection.cursor() as cursor:
        for start in range(0, len(products), chunk_rows):
            chunk = products[start : start + chunk_rows]
            params = []
            for product in chunk:
                params.append(product.pk)
                params += [
                    f.get_db_prep_save(getattr(product, f.attname), connection)
                    for f in fields
                ]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)


def stock_move(*, product: Product, delta: int, **kwargs) -> StockMovement:
    """One product's stock_moves."""
    (movement,) = stock_moves(changes=[(product, delta)], **kwargs)
    return movement


def track_crossings(
    *, movements: Sequence[StockMovement], was_low: Mapping[int, bool]
) -> None:
    """Open the low-stock alert of each product that crossed down (queueing
    its event after commit; the open alert is the outbox row, so a broker that
    is down loses nothing); close, in one update per 5,000, the open alerts of
    those that crossed up. Caller holds the row locks."""
    rising: list[int] = []
    for movement in movements:
        product = movement.product
        if product.is_low and not was_low[product.pk]:
            alert = LowStockAlert.objects.create(
                product=product,
                movement=movement,
                stock_at_open=product.stock,
                reorder_point=product.reorder_point,
                retry_at=sweep_at(movement.created_at),
            )
            enqueue_on_commit(low_stock_event_write_task, alert.pk)
        elif was_low[product.pk] and not product.is_low:
            rising.append(product.pk)
    closed_at = movements[0].created_at if movements else None
    for start in range(0, len(rising), LOCK_CHUNK):
        LowStockAlert.objects.filter(
            product_id__in=rising[start : start + LOCK_CHUNK], closed_at__isnull=True
        ).update(closed_at=closed_at)


def stock_receive(
    *,
    supplier: Supplier | None,
    quantities: Mapping[int, int],
    reference: str = "",
    user: AbstractBaseUser | None = None,
    expires_on: Mapping[int, datetime.date] | None = None,
    allow_past_expiry: bool = False,
) -> list[StockMovement]:
    """Book a delivery of several products at once. Locks those products.
    `expires_on` dates the units of each product that tracks expiry (one lot
    each): ExpiryMissing without it, ExpiryInPast for a past date unless
    allow_past_expiry (the admin's confirmation)."""
    expires_on = expires_on or {}
    if not quantities:
        raise ValidationError(_("A receipt needs at least one product."))
    for qty in quantities.values():
        if qty <= 0:
            raise ValidationError(_("Received quantities must be 1 or more."))
    note = ""
    if supplier:
        note = gettext("from %(supplier)s") % {"supplier": supplier.name}
    with transaction.atomic():
        products = products_lock(ids=quantities)
        missing = set(quantities) - set(products)
        if missing:
            raise ValidationError(
                _("Unknown product id(s): %(ids)s"), params={"ids": sorted(missing)}
            )
        return stock_moves(
            changes=[(products[pk], quantities[pk]) for pk in sorted(quantities)],
            reason=StockMovement.Reason.RECEIPT,
            ref=reference,
            note=note,
            user=user,
            expires_on=[expires_on.get(pk) for pk in sorted(quantities)],
            allow_past_expiry=allow_past_expiry,
        )


def stock_count(
    *,
    counts: Mapping[int, int],
    note: str = "",
    user: AbstractBaseUser | None = None,
) -> list[StockMovement]:
    """Stocktake: set stock to what was counted, booking each difference as an
    adjustment. Locks those products; a product counted as it stands gets no row.
    For a product that tracks expiry, units missing leave its lots
    first-expiring-first-out (expired first, undated last) and units found go
    to a new "expiry unknown" lot for the manager to date."""
    for counted in counts.values():
        if counted < 0:
            raise ValidationError(_("A counted quantity cannot be negative."))
    with transaction.atomic():
        products = products_lock(ids=counts)
        missing = set(counts) - set(products)
        if missing:
            raise ValidationError(
                _("Unknown product id(s): %(ids)s"), params={"ids": sorted(missing)}
            )
        changes = [
            (products[pk], counts[pk] - products[pk].stock)
            for pk in sorted(counts)
            if counts[pk] != products[pk].stock
        ]
        if not changes:
            return []
        return stock_moves(
            changes=changes,
            reason=StockMovement.Reason.ADJUSTMENT,
            ref="stocktake",
            note=note,
            user=user,
        )
