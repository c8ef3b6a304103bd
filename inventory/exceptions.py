import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext


class InsufficientStock(Exception):
    """A change would take a product's stock below zero."""

    def __init__(self, *, sku: str, name: str, available: int, wanted: int):
        self.sku = sku
        self.name = name
        self.available = available
        self.wanted = wanted
        super().__init__(sku, available, wanted)

    @property
    def message(self) -> str:
        """For people, in the active language."""
        return gettext(
            "Not enough stock of %(name)s (%(sku)s): %(available)s available, "
            "%(wanted)s wanted."
        ) % {
            "name": self.name,
            "sku": self.sku,
            "available": self.available,
            "wanted": self.wanted,
        }

    def __str__(self) -> str:
        return self.message


class ExpiredStock(InsufficientStock):
    """A sale of a product that tracks expiry needs units that are expired,
    or undated (docs/perishables.md); `available` is what can be sold."""

    @property
    def message(self) -> str:
        return gettext(
            "Only %(available)s of %(name)s (%(sku)s) can be sold, %(wanted)s "
            "wanted: the other units are past their expiry date or not dated. "
            "Take them off the shelf and tell the manager."
        ) % {
            "name": self.name,
            "sku": self.sku,
            "available": self.available,
            "wanted": self.wanted,
        }


class ExpiryMissing(ValidationError):
    """Units of a product that tracks expiry were received without a date."""

    def __init__(self, *, sku: str, name: str):
        self.sku = sku
        self.name = name
        super().__init__(
            gettext(
                "%(name)s (%(sku)s) tracks expiry: give the expiry date of the "
                "units received."
            )
            % {"name": name, "sku": sku},
            code="expiry_missing",
        )


class ExpiryInPast(ValidationError):
    """Units received with an expiry date before today, not confirmed."""

    def __init__(self, *, sku: str, name: str, expiry: datetime.date):
        self.sku = sku
        self.name = name
        self.expiry = expiry
        super().__init__(
            gettext(
                "The expiry date of %(name)s (%(sku)s), %(date)s, is in the past: "
                "these units cannot be sold."
            )
            % {
                "name": name,
                "sku": sku,
                "date": date_format(expiry, "SHORT_DATE_FORMAT"),
            },
            code="expiry_in_past",
        )


class LotOverdrawn(ValidationError):
    """More units taken from a lot than it holds (or given back to it than it
    lost)."""

    def __init__(
        self,
        *,
        sku: str,
        expiry: datetime.date | None,
        available: int,
        wanted: int,
        giving: bool = False,
    ):
        self.sku = sku
        self.expiry = expiry
        self.available = available
        self.wanted = wanted
        lot = (
            gettext("%(sku)s, expiry unknown") % {"sku": sku}
            if expiry is None
            else gettext("%(sku)s, expires %(date)s")
            % {"sku": sku, "date": date_format(expiry, "SHORT_DATE_FORMAT")}
        )
        if giving:
            text = gettext(
                "The lot %(lot)s can take back %(available)s unit(s), not %(wanted)s."
            )
        else:
            text = gettext(
                "The lot %(lot)s holds %(available)s unit(s): %(wanted)s cannot "
                "be taken from it."
            )
        super().__init__(
            text % {"lot": lot, "available": available, "wanted": wanted},
            code="lot_overdrawn",
        )


class ImportRejected(Exception):
    """A product file was refused whole; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors)

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)
