"""The till card: the shifts closed yesterday, with their cash differences."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Abs
from django.utils import timezone

from reports.selectors import ZERO, cents
from sales.models import Shift
from sales.selectors import store_day_bounds

SHIFTS_SHOWN = 6
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ClosedShift:
    pk: int
    clerk: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime
    expected_cash: Decimal
    counted_cash: Decimal
    difference: Decimal  # counted - expected: negative when the drawer was short


@dataclass(frozen=True)
class Shifts:
    day: datetime.date  # yesterday
    start: datetime.datetime
    end: datetime.datetime
    count: int
    off: int  # how many did not balance
    difference: Decimal  # all the day's differences together
    shown: list[ClosedShift]  # the largest differences first


def shifts_closed(*, now: datetime.datetime, shown: int = SHIFTS_SHOWN) -> Shifts:
    """The shifts closed during yesterday's store day: how many, how many did
    not balance and by how much in all (one query), and the `shown` with the
    largest differences (one query)."""
    day = timezone.localdate(now) - DAY
    start, end = store_day_bounds(day)
    closed = Shift.objects.filter(closed_at__gte=start, closed_at__lt=end)
    totals = closed.aggregate(
        count=Count("pk"),
        off=Count("pk", filter=~Q(difference=0)),
        difference=Sum("difference"),
    )
    rows = closed.order_by(Abs("difference").desc(), "closed_at", "pk").values(
        "pk",
        "opened_at",
        "closed_at",
        "expected_cash",
        "counted_cash",
        "difference",
        clerk_name=F("clerk__username"),
    )[:shown]
    return Shifts(
        day=day,
        start=start,
        end=end,
        count=totals["count"],
        off=totals["off"],
        difference=cents(totals["difference"] or ZERO),
        shown=[
            ClosedShift(
                **{k: v for k, v in row.items() if k != "clerk_name"},
                clerk=row["clerk_name"],
            )
            for row in rows
        ],
    )
