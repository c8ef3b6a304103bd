"""Purchase orders: drafting them from the replenishment rule, sending them to
the supplier, receiving deliveries against them. Receipts change stock only
through inventory's stock writer (`products_lock`, `stock_moves`)."""

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inventory.exceptions import ExpiryInPast, ExpiryMissing
from inventory.models import Product, StockMovement, Supplier
from inventory.selectors import with_replenishment
from inventory.services import products_lock, stock_moves
from pitstop.money import money
from purchasing.documents import document_keys, order_csv, order_email, order_pdf
from purchasing.exceptions import (
    IdempotencyKeyReused,
    NoSupplierEmail,
    OrderStateError,
    ReceiptRejected,
    SendFailed,
)
from purchasing.models import PREFIX, PurchaseOrder, PurchaseOrderLine, Receipt
from purchasing.selectors import DraftSummary, draft_summaries

log = logging.getLogger(__name__)
Status = PurchaseOrder.Status
MAX_QUANTITY = 100_000
# replenish: the rule's rows (supplier_id, pk, suggested_qty, cost), then
# the draft lines brought in line with them. The drafts meant are those not
# claimed by a send (%s is the draft status).
WANTED = "replenish_wanted"
WANTED_COLUMNS = "(supplier_id, pk, suggested_qty, cost)"  # the queryset's order
WANTED_CREATE = f"""
CREATE TEMPORARY TABLE {WANTED} (
    supplier_id bigint, pk bigint, suggested_qty bigint, cost numeric(10, 2)
)
"""
ORDERS = PurchaseOrder._meta.db_table
LINES = PurchaseOrderLine._meta.db_table
NEEDS_A_DRAFT = f"""
SELECT DISTINCT w.supplier_id FROM {WANTED} w
WHERE NOT EXISTS (
    SELECT 1 FROM {ORDERS} o WHERE o.supplier_id = w.supplier_id AND o.status = %s
)
ORDER BY w.supplier_id
"""
LINES_REMOVE = f"""
DELETE FROM {LINES} WHERE id IN (
    SELECT l.id FROM {LINES} l JOIN {ORDERS} o ON o.id = l.order_id
    WHERE o.status = %s AND o.sending_since IS NULL AND NOT EXISTS (
        SELECT 1 FROM {WANTED} w
        WHERE w.pk = l.product_id AND w.supplier_id = o.supplier_id
    )
)
"""
LINES_CHANGE = f"""
UPDATE {LINES} SET ordered = w.suggested_qty, unit_cost = w.cost
FROM {ORDERS} o, {WANTED} w
WHERE o.id = {LINES}.order_id AND o.status = %s AND o.sending_since IS NULL
  AND w.supplier_id = o.supplier_id AND w.pk = {LINES}.product_id
  AND ({LINES}.ordered <> w.suggested_qty OR {LINES}.unit_cost <> w.cost)
"""
LINES_ADD = f"""
INSERT INTO {LINES} (order_id, product_id, ordered, received, unit_cost)
SELECT o.id, w.pk, w.suggested_qty, 0, w.cost
FROM {WANTED} w JOIN {ORDERS} o ON o.supplier_id = w.supplier_id
WHERE o.status = %s AND o.sending_since IS NULL AND NOT EXISTS (
    SELECT 1 FROM {LINES} l WHERE l.order_id = o.id AND l.product_id = w.pk
)
ORDER BY o.id, w.pk
"""
# How long a send's claim on a draft keeps others off it; a send that died
# between claiming and finishing can be retried after it.
SEND_LEASE = datetime.timedelta(minutes=10)


# ------------------------------------------------------------------------------
# Drafting
# ------------------------------------------------------------------------------


def replenish(*, day: datetime.date | None = None) -> list[DraftSummary]:
    """Bring every supplier's draft in line with the replenishment rule (see
    inventory.selectors): add, update and remove lines, create a draft for a
    supplier that needs one, delete a draft left empty. Never a second draft.

    Locks the suppliers (one replenish at a time) and the drafts (a send's
    claim in progress finishes first). A draft claimed by a send is left as it
    is, and its supplier gets no other: whatever it still needs is drafted by
    the next run, once the order is sent and counts as on order.

    Set-based, in the database: the rule's rows are computed once into a
    temporary table, then one DELETE, one UPDATE and one INSERT bring the draft
    lines in line with it. A dozen queries whatever the catalogue's size, and
    no row of it comes to Python."""
    with transaction.atomic(durable=True):
        list(Supplier.objects.select_for_update().order_by("pk").only("pk"))
        being_sent = [
            supplier_id
            for supplier_id, since in PurchaseOrder.objects.select_for_update()
            .filter(status=Status.DRAFT)
            .order_by("pk")
            .values_list("supplier_id", "sending_since")
            if since is not None
        ]
        wanted = (
            with_replenishment(
                Product.objects.filter(is_active=True, supplier__isnull=False),
                day=day,
            )
            .filter(needs_ordering=True, suggested_qty__gt=0)
            .exclude(supplier_id__in=being_sent)
            .order_by()
            .values_list("supplier_id", "pk", "suggested_qty", "cost")
        )
        sql, params = wanted.query.sql_with_params()
        with connection.cursor() as cursor:
            # Made, then filled: PostgreSQL takes no bound parameters in
            # CREATE TABLE … AS, and the settings bind them on the server.
            cursor.execute(WANTED_CREATE)
            cursor.execute(f"INSERT INTO {WANTED} {WANTED_COLUMNS} {sql}", params)
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {WANTED}")  # its size, for the joins
            cursor.execute(NEEDS_A_DRAFT, [Status.DRAFT])
            new = [supplier_id for (supplier_id,) in cursor.fetchall()]
            PurchaseOrder.objects.bulk_create(PurchaseOrder(supplier_id=s) for s in new)
            for statement in (LINES_REMOVE, LINES_CHANGE, LINES_ADD):
                cursor.execute(statement, [Status.DRAFT])
            # Gone with the transaction anyway; dropped for the next run in
            # this connection.
            cursor.execute(f"DROP TABLE {WANTED}")
        PurchaseOrder.objects.filter(
            status=Status.DRAFT, sending_since__isnull=True, lines__isnull=True
        ).delete()
    return draft_summaries()


# ------------------------------------------------------------------------------
# Sending, cancelling, closing
# ------------------------------------------------------------------------------


def order_send(*, order_id: int, user: AbstractBaseUser) -> PurchaseOrder:
    """Approve a draft: render its PDF and CSV, store them under orders/po/,
    e-mail both to the supplier, mark it sent.

    Send once, with no lock held while storing and mailing: a short
    transaction claims the draft (its row locked while the checks run, then
    `sending_since` set), the documents are stored and mailed outside any
    transaction, and a second short one marks it sent. A claimed draft is left
    alone by `replenish`, the admin's line editing and cancel, and a second
    send is refused, until it is sent or its claim is older than SEND_LEASE (a
    send that died mid-way: then a retry takes it over). If storing or mailing
    fails the claim is dropped, the order stays a draft, and SendFailed says
    why."""
    order, lines = _send_claim(order_id)
    try:
        # The supplier reads the store's language, whatever the manager's.
        with translation.override(settings.LANGUAGE_CODE):
            pdf, csv = order_pdf(order, lines), order_csv(order, lines)
            message = order_email(order, lines, pdf=pdf, csv=csv)
        storage = storages["reports"]
        keys = document_keys(order)
        storage.save(keys["pdf"], ContentFile(pdf))
        storage.save(keys["csv"], ContentFile(csv))
        message.send()
    except Exception as exc:  # storage, SMTP, SES, a full disk…: all retryable
        PurchaseOrder.objects.filter(
            pk=order.pk, status=Status.DRAFT, sending_since=order.sending_since
        ).update(sending_since=None)
        log.warning("%s could not be sent: %r", order.number, exc)
        raise SendFailed(
            _(
                "%(number)s could not be sent (%(error)s): it is still a draft and "
                "nothing was e-mailed; try again."
            )
            % {"number": order.number, "error": f"{type(exc).__name__}: {exc}"[:200]}
        ) from exc
    _send_finish(order, user)
    return order


def _send_claim(order_id: int) -> tuple[PurchaseOrder, list[PurchaseOrderLine]]:
    """Check the draft and claim it (a short transaction, no I/O); returns the
    order, carrying the sent date and expected date it will be marked with,
    and its lines as they will be sent."""
    with transaction.atomic(durable=True):
        try:
            order = _order_lock(order_id)
        except PurchaseOrder.DoesNotExist:
            # `replenish` deleted the draft (nothing left to order) meanwhile.
            raise OrderStateError(
                _("%(number)s no longer exists: nothing was sent.")
                % {"number": f"{PREFIX}{order_id}"}
            ) from None
        if order.status != Status.DRAFT:
            raise OrderStateError(
                _("%(number)s is %(status)s; only a draft can be sent.") % _state(order)
            )
        now = timezone.now()
        if _being_sent(order):
            raise OrderStateError(
                _(
                    "%(number)s is being sent (since %(time)s); it shows as sent "
                    "once the e-mail has left."
                )
                % {
                    "number": order.number,
                    "time": f"{timezone.localtime(order.sending_since):%H:%M}",
                }
            )
        supplier = order.supplier
        if not supplier.email:
            raise NoSupplierEmail(
                _(
                    "%(supplier)s has no e-mail address: add one to the supplier "
                    "before sending %(number)s."
                )
                % {"supplier": supplier.name, "number": order.number}
            )
        lines = list(order.lines.select_related("product").order_by("product__sku"))
        if not lines:
            raise OrderStateError(
                _("%(number)s has no lines to send.") % {"number": order.number}
            )
        total = sum((line.line_total for line in lines), Decimal("0.00"))
        if total < supplier.min_order_value:
            raise OrderStateError(
                _(
                    "%(number)s totals %(total)s, below the minimum order of "
                    "%(supplier)s, %(minimum)s."
                )
                % {
                    "number": order.number,
                    "total": money(total),
                    "supplier": supplier.name,
                    "minimum": money(supplier.min_order_value),
                }
            )
        order.sending_since = now
        order.save(update_fields=["sending_since", "updated_at"])
    order.sent_at = now
    order.expected_on = timezone.localdate(now) + datetime.timedelta(
        days=supplier.lead_time_days
    )
    return order, lines


def _send_finish(order: PurchaseOrder, user: AbstractBaseUser) -> None:
    """Mark the claimed draft sent (one conditional update: a claim taken
    over meanwhile is the other sender's to finish)."""
    done = PurchaseOrder.objects.filter(
        pk=order.pk, status=Status.DRAFT, sending_since=order.sending_since
    ).update(
        status=Status.SENT,
        sent_at=order.sent_at,
        sent_by=user,
        expected_on=order.expected_on,
        sending_since=None,
        updated_at=timezone.now(),
    )
    if not done:
        log.error("%s was e-mailed but its claim was taken over", order.number)
    order.status, order.sent_by, order.sending_since = Status.SENT, user, None


def order_cancel(*, order_id: int, user: AbstractBaseUser) -> PurchaseOrder:
    """Cancel a draft, or a sent order of which nothing has arrived."""
    with transaction.atomic(durable=True):
        order = _order_lock(order_id)
        if order.status not in (Status.DRAFT, Status.SENT):
            message = _("%(number)s is %(status)s: it cannot be cancelled.")
            if order.status == Status.PARTIAL:
                message += " " + _("Close it short instead.")
            raise OrderStateError(message % _state(order))
        if _being_sent(order):
            raise OrderStateError(
                _("%(number)s is being sent: it cannot be cancelled now.")
                % {"number": order.number}
            )
        order.status = Status.CANCELLED
        order.closed_at, order.closed_by = timezone.now(), user
        order.save()
    return order


def order_close_short(*, order_id: int, user: AbstractBaseUser) -> PurchaseOrder:
    """Close a partly received order: the rest will not come (on_order drops)."""
    with transaction.atomic(durable=True):
        order = _order_lock(order_id)
        if order.status != Status.PARTIAL:
            raise OrderStateError(
                _(
                    "%(number)s is %(status)s; only a partly received order can be "
                    "closed short."
                )
                % _state(order)
            )
        order.status = Status.RECEIVED
        order.closed_short = True
        order.closed_at, order.closed_by = timezone.now(), user
        order.save()
    return order


def _state(order: PurchaseOrder) -> dict[str, str]:
    return {"number": order.number, "status": order.get_status_display().lower()}


def _being_sent(order: PurchaseOrder) -> bool:
    """Claimed by a send that may still be storing or mailing it."""
    since = order.sending_since
    return since is not None and timezone.now() - since < SEND_LEASE


def _order_lock(order_id: int) -> PurchaseOrder:
    """The order, its row locked (the supplier read after, not locked)."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order_id)
    order.supplier = Supplier.objects.get(pk=order.supplier_id)
    return order


# ------------------------------------------------------------------------------
# Receiving
# ------------------------------------------------------------------------------


def receipt_lines_clean(
    lines: Iterable[tuple],
) -> dict[tuple[str, datetime.date | None], int]:
    """(sku, qty) or (sku, qty, expires_on) lines checked, every problem
    listed; a repeated sku with the same expiry date adds up."""
    lines = list(lines)
    errors: list[str] = []
    merged: dict[tuple[str, datetime.date | None], int] = {}
    per_sku: dict[str, int] = {}
    if not lines:
        errors.append(_("A receipt needs at least one line."))
    for n, (sku, qty, *expiry) in enumerate(lines, start=1):
        expires_on = expiry[0] if expiry else None
        if not isinstance(sku, str) or not sku.strip():
            errors.append(_("line %(n)d: a product code (sku) is required.") % {"n": n})
            continue
        sku = sku.strip()
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            errors.append(
                _("line %(n)d: the quantity of %(sku)s must be 1 or more.")
                % {"n": n, "sku": sku}
            )
            continue
        merged[sku, expires_on] = merged.get((sku, expires_on), 0) + qty
        per_sku[sku] = per_sku.get(sku, 0) + qty
        if per_sku[sku] > MAX_QUANTITY:
            errors.append(
                _("line %(n)d: %(qty)d of %(sku)s is more than a delivery.")
                % {"n": n, "qty": per_sku[sku], "sku": sku}
            )
    if errors:
        raise ReceiptRejected(errors)
    return merged


def order_receive(
    *,
    order_id: int,
    lines: Iterable[tuple],
    user: AbstractBaseUser,
    note: str = "",
    idempotency_key: str = "",
    add_to_order: bool = False,
    allow_past_expiry: bool = False,
) -> tuple[PurchaseOrder, bool]:
    """Book one delivery against a sent or partly received order: a ledger
    `receipt` per product and expiry date (ref PO-<n>) through the stock
    writer, the lines' received counts, the order's status. More than ordered
    is accepted (the receipt's note says so); a sku not on the order only with
    add_to_order. A line is (sku, qty) or (sku, qty, expires_on): a product
    that tracks expiry needs the date, not in the past unless
    allow_past_expiry (the admin's confirmation); else ReceiptRejected.

    Locks the order row, then the products in pk order. Returns (order,
    created); a known idempotency key with the same lines returns the order
    and books nothing."""
    dated = receipt_lines_clean(lines)
    quantities: dict[str, int] = {}
    for (sku, _expiry), n in dated.items():
        quantities[sku] = quantities.get(sku, 0) + n
    key = idempotency_key.strip()
    if len(key) > 64:
        raise ReceiptRejected([_("The idempotency key is longer than 64 characters.")])
    receipt_lines = [
        {"sku": sku, "qty": n} | ({"expires_on": day.isoformat()} if day else {})
        for (sku, day), n in sorted(
            dated.items(), key=lambda kv: (kv[0][0], kv[0][1] or datetime.date.min)
        )
    ]
    try:
        with transaction.atomic(durable=True):
            order = _order_lock(order_id)
            if key and _replayed(key, order, receipt_lines):
                return order, False
            if not order.is_open:
                raise OrderStateError(
                    _("%(number)s is %(status)s: nothing can be received against it.")
                    % _state(order)
                )
            on_order = {
                line.product.sku: line for line in order.lines.select_related("product")
            }
            products = {
                p.sku: p for p in Product.objects.filter(sku__in=list(quantities))
            }
            errors = []
            for sku in quantities:
                if sku not in products:
                    errors.append(_("%(sku)s: no product has this sku.") % {"sku": sku})
                elif sku not in on_order and not add_to_order:
                    errors.append(
                        _("%(sku)s is not on %(number)s.")
                        % {"sku": sku, "number": order.number}
                    )
            if errors:
                raise ReceiptRejected(errors)
            locked = products_lock(ids=[p.pk for p in products.values()])
            changes = sorted(
                ((locked[products[sku].pk], n, day) for (sku, day), n in dated.items()),
                key=lambda change: (change[0].pk, change[2] or datetime.date.min),
            )
            over = _book_lines(order, on_order, products, quantities)
            notes = [note.strip()] if note.strip() else []
            notes += [
                _("over-delivery: %(sku)s +%(n)d") % {"sku": sku, "n": n}
                for sku, n in over.items()
            ]
            note = "; ".join(notes)[:255]
            stock_moves(
                changes=[(product, n) for product, n, _day in changes],
                reason=StockMovement.Reason.RECEIPT,
                ref=order.number,
                note=note,
                user=user,
                expires_on=[day for _product, _n, day in changes],
                allow_past_expiry=allow_past_expiry,
            )
            Receipt.objects.create(
                order=order,
                lines=receipt_lines,
                note=note,
                idempotency_key=key,
                received_by=user,
            )
            _settle(order, user)
    except (ExpiryMissing, ExpiryInPast) as exc:
        raise ReceiptRejected(exc.messages) from exc
    except IntegrityError:
        # A twin request with this key committed first: answer as it did.
        if key and Receipt.objects.filter(idempotency_key=key).exists():
            order = PurchaseOrder.objects.get(pk=order_id)
            if _replayed(key, order, receipt_lines):
                return order, False
        raise
    return order, True


def _replayed(key: str, order: PurchaseOrder, lines: list[dict]) -> bool:
    """Whether this key already booked these lines on this order; a key used
    for anything else is refused."""
    receipt = Receipt.objects.filter(idempotency_key=key).first()
    if receipt is None:
        return False
    if receipt.order_id != order.pk or receipt.lines != lines:
        raise IdempotencyKeyReused(
            _(
                "The idempotency key %(key)s was used for another receipt "
                "(%(number)s); nothing was booked."
            )
            % {"key": key, "number": receipt.order.number}
        )
    return True


def _book_lines(order, on_order, products, quantities) -> dict[str, int]:
    """Add the received units to the order's lines (a new line for a product
    added to the order); returns the units received beyond what was ordered."""
    over: dict[str, int] = {}
    changed = []
    for sku, qty in quantities.items():
        line = on_order.get(sku)
        if line is None:
            product = products[sku]
            PurchaseOrderLine.objects.create(
                order=order,
                product=product,
                ordered=qty,
                received=qty,
                unit_cost=product.cost,
            )
            continue
        before = line.missing
        line.received += qty
        changed.append(line)
        if qty > before:
            over[sku] = qty - before
    PurchaseOrderLine.objects.bulk_update(changed, ["received"])
    return over


def _settle(order: PurchaseOrder, user: AbstractBaseUser) -> None:
    """Partial while a line misses units, received when none does."""
    missing = any(line.missing for line in order.lines.all())
    order.status = Status.PARTIAL if missing else Status.RECEIVED
    if not missing:
        order.closed_at, order.closed_by = timezone.now(), user
    order.save()
