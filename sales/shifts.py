"""Shifts: a clerk's turn at the counter, from the cash float to the cash-up.

Services here lock the shift row; sale_create locks it too before adding a
sale to it, so a shift's expected cash is read with no sale half-written."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pitstop.i18n import fill_lazy
from pitstop.money import money
from sales.exceptions import ShiftClosed, ShiftError
from sales.models import Payment, Return, Sale, Shift

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_CASH = Decimal("1000000")
# Brazilian real: notes and coins in circulation, as counted in a drawer.
NOTES = [Decimal(v) for v in ("200", "100", "50", "20", "10", "5", "2")]
COINS = [Decimal(v) for v in ("1", "0.50", "0.25", "0.10", "0.05", "0.01")]


@dataclass(frozen=True)
class ShiftCash:
    opening_float: Decimal
    cash_sales: Decimal
    cash_refunds: Decimal

    @property
    def expected(self) -> Decimal:
        return self.opening_float + self.cash_sales - self.cash_refunds


def shift_cash(shift: Shift) -> ShiftCash:
    """What the drawer should hold: float + cash sales - cash refunds. Voided
    sales are left out (their cash was handed back)."""
    sales = Sale.objects.filter(
        shift=shift, payment=Payment.CASH, status=Sale.Status.COMPLETED
    ).aggregate(s=Sum("total"))["s"]
    refunds = Return.objects.filter(shift=shift, refund_method=Payment.CASH).aggregate(
        s=Sum("total")
    )["s"]
    return ShiftCash(
        opening_float=shift.opening_float,
        cash_sales=_cents(sales),
        cash_refunds=_cents(refunds),
    )


def shift_current(*, clerk: AbstractBaseUser) -> Shift | None:
    return Shift.objects.filter(clerk=clerk, closed_at__isnull=True).first()


def shift_open(*, clerk: AbstractBaseUser, opening_float: Decimal) -> Shift:
    """Open the clerk's shift with the cash float in the drawer; one at a time."""
    if not ZERO <= opening_float < MAX_CASH:
        raise ShiftError(_("The float must be an amount of zero or more."))
    try:
        with transaction.atomic():
            return Shift.objects.create(
                clerk=clerk, opening_float=opening_float.quantize(CENT)
            )
    except IntegrityError:
        raise ShiftError(
            _("Your shift is already open: close it before opening another.")
        ) from None


def count_notes_and_coins(counts: dict[Decimal, int]) -> Decimal:
    """The cash in a drawer counted by denomination: {Decimal("50"): 3, ...}."""
    for value, number in counts.items():
        if value not in NOTES and value not in COINS:
            raise ShiftError(
                fill_lazy(
                    _("%(value)s is not a note or coin."), {"value": money(value)}
                )
            )
        if number < 0:
            raise ShiftError(_("A number of notes or coins cannot be negative."))
    return sum((value * n for value, n in counts.items()), ZERO).quantize(CENT)


def shift_close(
    *,
    shift_id: int,
    user: AbstractBaseUser,
    counted: Decimal | None = None,
    notes_and_coins: dict[Decimal, int] | None = None,
) -> Shift:
    """Close a shift with the cash counted, by total or by notes and coins (or
    both, when they agree); keeps expected cash and the difference. Locks the
    shift row; closing twice raises ShiftClosed."""
    detail = {k: v for k, v in (notes_and_coins or {}).items() if v}
    by_pieces = count_notes_and_coins(detail) if detail else None
    if counted is None:
        counted = by_pieces
    if counted is None:
        raise ShiftError(_("Say how much cash is in the drawer."))
    if not ZERO <= counted < MAX_CASH:
        raise ShiftError(_("The cash counted must be an amount of zero or more."))
    counted = counted.quantize(CENT)
    if by_pieces is not None and by_pieces != counted:
        raise ShiftError(
            fill_lazy(
                _(
                    "The notes and coins add up to %(pieces)s, not %(counted)s: "
                    "count again."
                ),
                {"pieces": money(by_pieces), "counted": money(counted)},
            )
        )
    with transaction.atomic():
        shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
        if shift is None or shift.clerk_id != user.pk:
            raise ShiftError(_("That shift is not yours."))
        if not shift.is_open:
            raise ShiftClosed(
                fill_lazy(
                    _("Shift %(number)s is already closed."), {"number": shift.pk}
                )
            )
        expected = shift_cash(shift).expected
        shift.closed_at = timezone.now()
        shift.counted_cash = counted
        shift.counted_detail = {f"{k:.2f}": v for k, v in sorted(detail.items())}
        shift.expected_cash = expected
        shift.difference = counted - expected
        shift.save(
            update_fields=[
                "closed_at",
                "counted_cash",
                "counted_detail",
                "expected_cash",
                "difference",
            ]
        )
    return shift


def _cents(amount: Decimal | None) -> Decimal:
    return Decimal(amount or 0).quantize(CENT)
