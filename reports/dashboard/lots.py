"""The lots card: a perishable product's units that expire within two days,
and expired units still in stock (not yet written off as waste)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from inventory.models import Lot

WITHIN_DAYS = 2  # today, tomorrow and the day after
LOTS_SHOWN = 5


@dataclass(frozen=True)
class ExpiringOn:
    day: datetime.date
    lots: int
    units: int


@dataclass(frozen=True)
class LotRow:
    pk: int
    sku: str
    name: str
    expires_on: datetime.date
    units: int


@dataclass(frozen=True)
class Lots:
    today: datetime.date
    last_day: datetime.date  # the last day counted as expiring
    days: list[ExpiringOn]  # today first
    expired_lots: int
    expired_units: int
    first: list[LotRow]  # expired first, then the soonest to expire

    @property
    def expiring_lots(self) -> int:
        return sum(d.lots for d in self.days)

    @property
    def expiring_units(self) -> int:
        return sum(d.units for d in self.days)


def lots_expiring(
    *, now: datetime.datetime, within: int = WITHIN_DAYS, shown: int = LOTS_SHOWN
) -> Lots:
    """Lots with units left, by expiry day from today to `within` days on, and
    those past their date (one query through the expiry index), and the
    `shown` that expired or expire first (one query)."""
    today = timezone.localdate(now)
    last_day = today + datetime.timedelta(days=within)
    dates = [today + datetime.timedelta(days=n) for n in range(within + 1)]
    held = Lot.objects.filter(units_left__gt=0, expires_on__lte=last_day)
    counts = {}
    for n, day in enumerate(dates):
        on_day = Q(expires_on=day)
        counts[f"lots_{n}"] = Count("pk", filter=on_day)
        counts[f"units_{n}"] = Sum("units_left", filter=on_day)
    expired = Q(expires_on__lt=today)
    totals = held.aggregate(
        **counts,
        expired_lots=Count("pk", filter=expired),
        expired_units=Sum("units_left", filter=expired),
    )
    rows = held.order_by("expires_on", "pk").values(
        "pk",
        "expires_on",
        sku=F("product__sku"),
        name=F("product__name"),
        units=F("units_left"),
    )[:shown]
    return Lots(
        today=today,
        last_day=last_day,
        days=[
            ExpiringOn(day, totals[f"lots_{n}"], totals[f"units_{n}"] or 0)
            for n, day in enumerate(dates)
        ],
        expired_lots=totals["expired_lots"],
        expired_units=totals["expired_units"] or 0,
        first=[LotRow(**row) for row in rows],
    )
