from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pitstop.i18n import fill_lazy


class InvalidSale(Exception):
    """A sale that cannot be made as asked; the message says why, for the clerk
    (a lazy translation: the page, the API and a command each read it in their
    own language)."""

    def __init__(self, message: str | Promise, *, sku: str | None = None):
        self.message = message
        self.sku = sku
        super().__init__(message)


class UnknownProduct(InvalidSale):
    """No product on sale has this sku."""


class IdempotencyKeyReused(InvalidSale):
    """The key belongs to another sale: another clerk's, or other lines."""


class AttendantRequired(InvalidSale):
    """A kiosk sale of an age-restricted or attendant-only product without a
    valid attendant's PIN."""


class PriceChanged(InvalidSale):
    """A line carried the price the customer saw (a kiosk's, perhaps queued
    offline) and the product's price is another now: nothing is sold at a
    price the customer did not agree to."""

    def __init__(self, message: str | Promise, *, sku: str, price, seen):
        self.price = price
        self.seen = seen
        super().__init__(message, sku=sku)


class SaleNotVoidable(Exception):
    def __init__(self, message: str | Promise):
        self.message = message
        super().__init__(message)


class ShiftError(Exception):
    """A shift that cannot be opened, used or closed as asked."""

    def __init__(self, message: str | Promise):
        self.message = message
        super().__init__(message)


class ShiftNeeded(ShiftError):
    """Cash at the counter needs an open shift: open one with the float."""


class ShiftClosed(ShiftError):
    """The shift was closed (closing it again, or selling on it)."""


class InvalidReturn(Exception):
    """A return that cannot be made as asked; nothing was changed."""

    def __init__(self, message: str | Promise, *, sku: str | None = None):
        self.message = message
        self.sku = sku
        super().__init__(message)


class NotInSale(InvalidReturn):
    """The sale has no line with this sku."""


class OverReturn(InvalidReturn):
    """More units than were sold and not yet returned."""

    def __init__(self, *, sku: str, returnable: int, wanted: int):
        self.returnable = returnable
        self.wanted = wanted
        super().__init__(
            fill_lazy(
                _("Only %(returnable)s of %(sku)s can be returned; %(wanted)s asked."),
                {"returnable": returnable, "sku": sku, "wanted": wanted},
            ),
            sku=sku,
        )


class SaleNotReturnable(InvalidReturn):
    """A voided sale: nothing of it is left to take back."""


class ReturnKeyReused(InvalidReturn):
    """The idempotency key belongs to a different return."""


class BadPin(Exception):
    """Not the attendant's PIN; `left` more tries before the kiosk is locked."""

    def __init__(self, *, left: int):
        self.left = left
        super().__init__(f"bad PIN, {left} left")


class AttendantLocked(Exception):
    """Too many wrong PINs at this kiosk lately: no PIN until `until`."""

    def __init__(self, *, until):
        self.until = until
        super().__init__(f"PIN refused until {until:%H:%M:%S}")


class PaymentNotConfirmable(Exception):
    """A payment confirmation that cannot apply to this sale; nothing changed.
    `code` is for machines: `voided`, or `already_paid` (by another payment)."""

    def __init__(self, message: str | Promise, *, code: str):
        self.message = message
        self.code = code
        super().__init__(message)
