"""The purchase orders card: drafts waiting for a manager's approval, and
orders late against their expected date."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from purchasing.models import PREFIX, PurchaseOrder
from purchasing.selectors import late_orders
from reports.selectors import ZERO, cents

LATE_SHOWN = 5
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class LateOrder:
    pk: int
    supplier: str
    expected_on: datetime.date
    days_late: int
    missing: int  # units ordered and not received

    @property
    def number(self) -> str:
        return f"{PREFIX}{self.pk}"


@dataclass(frozen=True)
class Orders:
    day: datetime.date
    drafts: int
    drafts_total: Decimal  # the drafts' lines at their unit cost
    late: int
    worst: list[LateOrder]  # the longest overdue first


def purchase_orders(*, now: datetime.datetime, shown: int = LATE_SHOWN) -> Orders:
    """How many drafts and their value (one query); how many orders are late
    (one query) and the `shown` longest overdue with their missing units (one
    query)."""
    day = timezone.localdate(now)
    drafts = PurchaseOrder.objects.filter(status=PurchaseOrder.Status.DRAFT).aggregate(
        count=Count("pk", distinct=True),
        total=Sum(F("lines__ordered") * F("lines__unit_cost"), output_field=MONEY),
    )
    late = late_orders(day=day)
    worst = (
        late.order_by("expected_on", "pk")
        .annotate(missing=Sum(Greatest(F("lines__ordered") - F("lines__received"), 0)))
        .values("pk", "expected_on", "missing", supplier_name=F("supplier__name"))[
            :shown
        ]
    )
    return Orders(
        day=day,
        drafts=drafts["count"],
        drafts_total=cents(drafts["total"] or ZERO),
        late=late.count(),
        worst=[
            LateOrder(
                pk=row["pk"],
                supplier=row["supplier_name"],
                expected_on=row["expected_on"],
                days_late=(day - row["expected_on"]).days,
                missing=row["missing"] or 0,
            )
            for row in worst
        ],
    )
