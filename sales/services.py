"""Selling and voiding. Each service owns its transaction and locks the
products through inventory.services.products_lock (pk order), so concurrent
sales neither lose updates nor deadlock."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import StockMovement
from inventory.services import products_lock, stock_moves
from pitstop.i18n import fill_lazy
from pitstop.money import money
from sales.attendant import attendant_pin_accepted
from sales.exceptions import (
    AttendantRequired,
    IdempotencyKeyReused,
    InvalidSale,
    PriceChanged,
    SaleNotVoidable,
    ShiftClosed,
    ShiftError,
    ShiftNeeded,
    UnknownProduct,
)
from sales.models import Payment, Sale, SaleLine, Shift
from sales.returns import sale_lots_back
from sales.selectors import store_midnight

# The bounds of a sale, here only: sale_lines_clean, the clerk's form and the
# API's input serializer (hence the OpenAPI schema) all read them.
MAX_LINES = 100
MAX_QUANTITY = 999
MAX_KEY_LENGTH = 64
MAX_PIN_LENGTH = 12
CENT = Decimal("0.01")


def sale_lines_clean(lines: Iterable[tuple[object, object]]) -> dict[str, int]:
    """Check (sku, quantity) pairs and merge repeated skus, keeping first order."""
    lines = list(lines)
    if not lines:
        raise InvalidSale(_("A sale needs at least one line."))
    if len(lines) > MAX_LINES:
        raise InvalidSale(
            fill_lazy(
                _("A sale has at most %(max)s lines; this has %(count)s."),
                {"max": MAX_LINES, "count": len(lines)},
            )
        )
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        if not isinstance(sku, str) or not sku.strip():
            raise InvalidSale(_("Every line needs a product code (sku)."))
        sku = sku.strip()
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            raise InvalidSale(
                fill_lazy(
                    _(
                        "The quantity of %(sku)s must be a whole number from 1 to "
                        "%(max)s; got %(got)s."
                    ),
                    {"sku": sku, "max": MAX_QUANTITY, "got": repr(quantity)},
                ),
                sku=sku,
            )
        merged[sku] = merged.get(sku, 0) + quantity
        if merged[sku] > MAX_QUANTITY:
            raise InvalidSale(
                fill_lazy(
                    _(
                        "The quantity of %(sku)s adds up to %(total)s; at most "
                        "%(max)s per sale."
                    ),
                    {"sku": sku, "total": merged[sku], "max": MAX_QUANTITY},
                ),
                sku=sku,
            )
    return merged


def sale_create(
    *,
    clerk: AbstractBaseUser,
    lines: Iterable[tuple[object, object]],
    channel: Sale.Channel = Sale.Channel.COUNTER,
    idempotency_key: str = "",
    payment: str = Payment.OTHER,
    cash_tendered: Decimal | None = None,
    shift_id: int | None = None,
    unattended: bool = False,
    attendant_pin: str = "",
    seen_prices: Mapping[str, Decimal] | None = None,
) -> tuple[Sale, bool]:
    """Sell all the lines or none: locks the clerk's shift (if any), then their
    products, refuses the whole sale with InsufficientStock if one lacks stock,
    writes the sale, its lines and a `sale` movement per line. Returns (sale,
    created); a known idempotency key returns its sale with created False and
    changes nothing.

    Cash at the counter goes into a drawer, so it needs the clerk's open shift
    (ShiftNeeded without one, ShiftClosed if it was closed meanwhile); the
    cash tendered, when given, must cover the total. An unattended sale (a
    kiosk's) of an age-restricted or attendant-only product needs the
    attendant's PIN, else AttendantRequired; it is made pending, paid once its
    payment is confirmed (sales.payments). `seen_prices` (sku -> the unit
    price the customer was shown, e.g. by a kiosk that sold offline) must
    match the product's price now, else PriceChanged; a known key still
    returns its sale, made at the price of its day."""
    quantities = sale_lines_clean(lines)
    # A wrong PIN counts against the kiosk (sales.attendant's throttle).
    unlocked = not unattended or (
        bool(attendant_pin) and attendant_pin_accepted(device=clerk, pin=attendant_pin)
    )
    if payment not in Payment.values:
        raise InvalidSale(
            fill_lazy(
                _("Unknown payment method %(method)s: one of %(methods)s."),
                {"method": repr(payment), "methods": ", ".join(Payment.values)},
            )
        )
    if cash_tendered is not None and payment != Payment.CASH:
        raise InvalidSale(_("Only a cash sale takes an amount tendered."))
    key = idempotency_key.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidSale(_("The idempotency key is longer than 64 characters."))
    asked = _Asked(clerk.pk, quantities, payment)
    # No look-up of the key first: a new key (nearly every sale) costs nothing,
    # and a known one fails the unique index on insert, below, then finds its
    # sale; a twin request holding it makes that insert wait for its end.
    try:
        with transaction.atomic():
            shift = _shift_lock(
                clerk=clerk,
                shift_id=shift_id,
                needed=payment == Payment.CASH and channel == Sale.Channel.COUNTER,
            )
            locked = {p.sku: p for p in products_lock(skus=quantities).values()}
            for sku in quantities:
                if sku not in locked or not locked[sku].is_active:
                    raise UnknownProduct(
                        fill_lazy(
                            _("No product on sale with the code %(code)s."),
                            {"code": sku},
                        ),
                        sku=sku,
                    )
                product = locked[sku]
                seen = (seen_prices or {}).get(sku)
                if seen is not None and seen != product.price:
                    raise PriceChanged(
                        fill_lazy(
                            _(
                                "The price of %(name)s is now %(price)s; the "
                                "kiosk showed %(seen)s."
                            ),
                            {
                                "name": product.name,
                                "price": money(product.price),
                                "seen": money(seen),
                            },
                        ),
                        sku=sku,
                        price=product.price,
                        seen=seen,
                    )
                if not unlocked and (product.age_restricted or product.attendant_only):
                    raise AttendantRequired(
                        fill_lazy(
                            _("Please call the attendant to sell %(name)s."),
                            {"name": product.name},
                        ),
                        sku=sku,
                    )
            lines_to_sell = [(locked[sku], qty) for sku, qty in quantities.items()]
            total = sum(p.price * qty for p, qty in lines_to_sell).quantize(CENT)
            if cash_tendered is not None and cash_tendered < total:
                raise InvalidSale(
                    fill_lazy(
                        _(
                            "The cash tendered, %(tendered)s, is less than the "
                            "total, %(total)s."
                        ),
                        {"tendered": money(cash_tendered), "total": money(total)},
                    )
                )
            sale = Sale.objects.create(
                clerk=clerk,
                channel=channel,
                idempotency_key=key,
                total=total,
                payment=payment,
                cash_tendered=cash_tendered,
                shift=shift,
                # Nobody took a kiosk's payment: the payment service or the
                # attendant confirms it (sales.payments).
                payment_status=Sale.PaymentStatus.PENDING
                if unattended
                else Sale.PaymentStatus.PAID,
            )
            lines_sold = SaleLine.objects.bulk_create(
                SaleLine(
                    sale=sale,
                    product=product,
                    quantity=qty,
                    unit_price=product.price,
                    unit_cost=product.cost,
                    line_total=(product.price * qty).quantize(CENT),
                )
                for product, qty in lines_to_sell
            )
            # Refuses the whole sale, InsufficientStock, if a line lacks stock.
            stock_moves(
                changes=[(product, -qty) for product, qty in lines_to_sell],
                reason=StockMovement.Reason.SALE,
                ref=str(sale.pk),
                user=clerk,
            )
    except (IntegrityError, InvalidSale, ShiftError):
        # The key's sale, if it has one: a retry of a sale made before the
        # product was withdrawn, the shift closed or the PIN changed gets it.
        if key and (sale := _sale_for_key(key, asked)):
            return sale, False
        raise
    # The answer needs the lines: these, with their products, not a query
    # (a prefetch as prefetch_related_objects leaves it).
    lines = sale.lines.all()
    lines._result_cache, lines._prefetch_done = lines_sold, True
    sale._prefetched_objects_cache = {"lines": lines}
    return sale, True


@dataclass(frozen=True)
class _Asked:
    """What a request with an idempotency key asked for, to compare with the
    sale that key made."""

    clerk_id: int
    quantities: dict[str, int]
    payment: str


def _sale_for_key(key: str, asked: _Asked) -> Sale | None:
    sale = Sale.objects.filter(idempotency_key=key).first()
    if sale is None:
        return None
    sold = dict(sale.lines.values_list("product__sku", "quantity"))
    if _Asked(sale.clerk_id, sold, sale.payment) != asked:
        raise IdempotencyKeyReused(
            _("This idempotency key was already used for a different sale.")
        )
    return sale


def _shift_lock(
    *, clerk: AbstractBaseUser, shift_id: int | None, needed: bool
) -> Shift | None:
    """Lock the shift a sale goes into, so that closing it waits for the sale
    (or the sale sees it closed)."""
    if shift_id is None:
        if needed:
            raise ShiftNeeded(_("Open your shift with the cash float to take cash."))
        return None
    shift = Shift.objects.select_for_update().filter(pk=shift_id, clerk=clerk).first()
    if shift is None:
        raise InvalidSale(_("That shift is not yours."))
    if not shift.is_open:
        raise ShiftClosed(
            fill_lazy(
                _(
                    "Your shift %(number)s was closed: open a new shift to go on "
                    "selling."
                ),
                {"number": shift.pk},
            )
        )
    if needed and shift.opened_at < store_midnight(timezone.localdate()):
        raise ShiftError(
            fill_lazy(
                _(
                    "Your shift %(number)s opened on %(day)s is still open: close "
                    "it, then open today's with the float."
                ),
                {"number": shift.pk, "day": timezone.localdate(shift.opened_at)},
            )
        )
    return shift


def sale_void(*, sale_id: int, user: AbstractBaseUser, reason: str) -> Sale:
    """Put a sale's stock back (`void` movements) and mark it voided, once.
    Locks the sale row, then its products in pk order."""
    if not user.has_perm("sales.void_sale"):
        raise PermissionDenied(_("Only managers can void a sale."))
    reason = reason.strip()
    if not reason:
        raise SaleNotVoidable(_("Say why the sale is voided."))
    with transaction.atomic():
        sale = Sale.objects.select_for_update().get(pk=sale_id)
        if sale.status == Sale.Status.VOIDED:
            raise SaleNotVoidable(
                fill_lazy(_("Sale %(number)s was already voided."), {"number": sale.pk})
            )
        if sale.returns.exists():
            raise SaleNotVoidable(
                fill_lazy(
                    _("Sale %(number)s has returns: return the rest of it instead."),
                    {"number": sale.pk},
                )
            )
        lines = list(sale.lines.all())
        products = products_lock(ids=[line.product_id for line in lines])
        changes = [(products[line.product_id], line.quantity) for line in lines]
        stock_moves(
            changes=changes,
            reason=StockMovement.Reason.VOID,
            ref=str(sale.pk),
            note=reason[:255],
            user=user,
            # Perishables go back to exactly the lots the sale took them from.
            lots=sale_lots_back(sale=sale, changes=changes),
        )
        sale.status = Sale.Status.VOIDED
        sale.voided_at = timezone.now()
        sale.voided_by = user
        sale.void_reason = reason
        sale.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
    return sale
