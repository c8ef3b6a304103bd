"""Returns: some units of some lines of one sale, taken back.

sale_return locks the sale row first (so two returns of one sale take turns
and neither can see units the other is taking), then the refunding user's
shift, then the products in pk order through products_lock; stock changes
only through stock_moves."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from inventory.lots import lots_outstanding, picks_first
from inventory.models import Product, StockMovement
from inventory.services import products_lock, stock_moves
from pitstop.i18n import fill_lazy
from sales.exceptions import (
    InvalidReturn,
    NotInSale,
    OverReturn,
    ReturnKeyReused,
    SaleNotReturnable,
)
from sales.models import Payment, Return, ReturnLine, Sale, SaleLine, Shift

CENT = Decimal("0.01")
RETURN_PERMISSION = "sales.return_sale"


def can_return(user: AbstractBaseUser | None) -> bool:
    """A manager, or anyone given the permission, returns without approval."""
    return bool(user and user.is_active and user.has_perm(RETURN_PERMISSION))


def return_lines_clean(lines: Iterable[tuple[object, object]]) -> dict[str, int]:
    """Check (sku, quantity) pairs: whole units, 1 or more; repeats merged."""
    merged: dict[str, int] = {}
    for sku, qty in lines:
        if not isinstance(sku, str) or not sku.strip():
            raise InvalidReturn(_("Every line needs a product code (sku)."))
        sku = sku.strip()
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidReturn(
                fill_lazy(
                    _(
                        "The quantity of %(sku)s to return must be a whole number, "
                        "1 or more; got %(got)s."
                    ),
                    {"sku": sku, "got": repr(qty)},
                ),
                sku=sku,
            )
        merged[sku] = merged.get(sku, 0) + qty
    if not merged:
        raise InvalidReturn(_("Say which units come back: at least one line."))
    return merged


@dataclass(frozen=True)
class _Asked:
    sale_id: int
    quantities: dict[str, int]
    restock: bool
    refund_method: str | None


def sale_return(
    *,
    sale_id: int,
    user: AbstractBaseUser,
    lines: Iterable[tuple[object, object]],
    restock: bool,
    refund_method: str | None = None,
    approved_by: AbstractBaseUser | None = None,
    idempotency_key: str = "",
    reason: str = "",
) -> tuple[Return, bool]:
    """Take back some units of a sale, refunded at the price sold by
    refund_method (default: how the sale was paid), restocked (ledger
    `return`) or written off (`return` then `waste`: they came back, then went
    in the bin). Never more than sold less already returned (OverReturn).

    The user needs the return permission, or approved_by must hold it (a
    manager who typed their password). Returns (return, created); a known
    idempotency key with the same request returns its return, unchanged."""
    if not (can_return(user) or can_return(approved_by)):
        raise PermissionDenied(_("A return needs a manager's approval."))
    if not can_return(approved_by):
        approved_by = None
    quantities = return_lines_clean(lines)
    if refund_method is not None and refund_method not in Payment.values:
        raise InvalidReturn(
            fill_lazy(
                _("Unknown refund method %(method)s: one of %(methods)s."),
                {"method": repr(refund_method), "methods": ", ".join(Payment.values)},
            )
        )
    key = idempotency_key.strip()
    if len(key) > 64:
        raise InvalidReturn(_("The idempotency key is longer than 64 characters."))
    asked = _Asked(sale_id, quantities, restock, refund_method)
    try:
        with transaction.atomic():
            sale = Sale.objects.select_for_update().filter(pk=sale_id).first()
            if key and (done := _return_for_key(key, asked)):
                return done, False
            if sale is None:
                raise InvalidReturn(
                    fill_lazy(_("There is no sale %(number)s."), {"number": sale_id})
                )
            return _take_back(
                sale=sale,
                user=user,
                quantities=quantities,
                restock=restock,
                refund_method=refund_method or sale.payment,
                approved_by=approved_by,
                key=key,
                reason=reason.strip()[:255],
            ), True
    except IntegrityError:
        # The same key on another sale, committed between our look and write.
        if key and (done := _return_for_key(key, asked)):
            return done, False
        raise


def _take_back(
    *,
    sale: Sale,
    user: AbstractBaseUser,
    quantities: dict[str, int],
    restock: bool,
    refund_method: str,
    approved_by: AbstractBaseUser | None,
    key: str,
    reason: str,
) -> Return:
    """The return proper. Caller holds the sale row lock."""
    if sale.status == Sale.Status.VOIDED:
        raise SaleNotReturnable(
            fill_lazy(
                _("Sale %(number)s was voided: nothing to return."), {"number": sale.pk}
            )
        )
    sold = {line.product.sku: line for line in sale.lines.select_related("product")}
    for sku, qty in quantities.items():
        line = sold.get(sku)
        if line is None:
            raise NotInSale(
                fill_lazy(
                    _("Sale %(number)s has no %(sku)s."),
                    {"number": sale.pk, "sku": sku},
                ),
                sku=sku,
            )
        if qty > line.returnable:
            raise OverReturn(sku=sku, returnable=line.returnable, wanted=qty)
    taken = [(sold[sku], qty) for sku, qty in quantities.items()]
    shift = (
        Shift.objects.select_for_update()
        .filter(clerk=user, closed_at__isnull=True)
        .first()
    )
    products = products_lock(ids=[line.product_id for line, _ in taken])
    sale_return = Return.objects.create(
        sale=sale,
        user=user,
        approved_by=approved_by,
        refund_method=refund_method,
        restock=restock,
        total=sum((line.unit_price * qty for line, qty in taken), Decimal(0)).quantize(
            CENT
        ),
        shift=shift,
        reason=reason,
        idempotency_key=key,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            sale_return=sale_return,
            sale_line=line,
            quantity=qty,
            unit_price=line.unit_price,
            line_total=(line.unit_price * qty).quantize(CENT),
        )
        for line, qty in taken
    )
    for line, qty in taken:
        SaleLine.objects.filter(pk=line.pk).update(
            returned_quantity=F("returned_quantity") + qty
        )
    back = [(products[line.product_id], qty) for line, qty in taken]
    # Perishables go back to the lots the sale took them from, the
    # first-expiring first: a unit coming back is taken for the oldest it
    # could be (docs/perishables.md).
    lots = sale_lots_back(
        sale=sale, changes=back, returns=sale.returns.exclude(pk=sale_return.pk)
    )
    if restock:
        changes, reasons = back, [StockMovement.Reason.RETURN] * len(back)
    else:
        # Back in, then in the bin: from the lots they went back to.
        changes, reasons, lots = [], [], [picks for picks in lots for _ in (1, 2)]
        for product, qty in back:
            changes += [(product, qty), (product, -qty)]
            reasons += [StockMovement.Reason.RETURN, StockMovement.Reason.WASTE]
    stock_moves(
        changes=changes,
        reason=reasons,
        lots=lots,
        ref=f"return {sale_return.pk}",
        note=f"sale {sale.pk}" + (f": {reason}" if reason else ""),
        user=user,
    )
    return sale_return


def _return_for_key(key: str, asked: _Asked) -> Return | None:
    done = Return.objects.filter(idempotency_key=key).first()
    if done is None:
        return None
    returned = dict(done.lines.values_list("sale_line__product__sku", "quantity"))
    same = _Asked(
        done.sale_id,
        returned,
        done.restock,
        asked.refund_method and done.refund_method,
    )
    if same != asked:
        raise ReturnKeyReused(
            _("This idempotency key was already used for a different return.")
        )
    return done


def sale_lots_back(
    *,
    sale: Sale,
    changes: list[tuple[Product, int]],
    returns: QuerySet | None = None,
) -> list[list[tuple[int, int]] | None]:
    """For stock_moves' `lots`: per change giving units of the sale back, the
    lots its ledger rows took them from, less what `returns` (of this sale)
    already gave back, first-expiring first; None for a product that does not
    track expiry, or whose units the sale did not take from lots (sold before
    tracking was on: they come back as an "expiry unknown" lot). One query,
    none without a tracked product. Caller holds the row locks."""
    tracked = {product.pk for product, _qty in changes if product.tracks_expiry}
    if not tracked:
        return [None] * len(changes)
    sold = StockMovement.objects.filter(
        reason=StockMovement.Reason.SALE, ref=str(sale.pk), product_id__in=tracked
    )
    given_back = None
    if returns is not None:
        given_back = StockMovement.objects.filter(
            reason=StockMovement.Reason.RETURN,
            ref__in=returns.annotate(
                ref=Concat(Value("return "), Cast("pk", CharField()))
            ).values("ref"),
        )
    outstanding = lots_outstanding(taken=sold, given_back=given_back)
    picks = []
    for product, qty in changes:
        chosen = picks_first(outstanding.get(product.pk, []), qty)
        picks.append(chosen if sum(n for _lot, n in chosen) == qty else None)
    return picks
