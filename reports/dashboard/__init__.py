"""The numbers of the manager's dashboard (the admin's home page): sales and
revenue, low stock, reports here; purchase orders, shifts and lots in the
modules beside it.

Each card reads the database in a small, fixed number of aggregate queries,
none per row, so the page costs the same with ten sales or ten million. Every
function takes `now`, the moment the page is for, in any time zone; store days
run midnight to midnight in the store's zone.

Revenue is net of returns, as in the daily report: the completed sales' totals
less the refunds made in the same span, whenever the sale was."""

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.storage import storages
from django.db import connection
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone

from alerts.models import Delivery
from inventory.models import LowStockAlert, Product
from inventory.selectors import with_replenishment
from reports.models import Report
from reports.selectors import ZERO, cents
from sales.models import Return, Sale
from sales.selectors import store_day_bounds, store_midnight

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)
REVENUE_DAYS = 28
WORST = 5
FAILED_SHOWN = 5
COMPLETED = Q(status=Sale.Status.COMPLETED)


# ------------------------------------------------------------------------------
# Sales in time buckets
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    start: datetime.datetime
    end: datetime.datetime
    sales: int
    takings: Decimal  # the completed sales' totals
    refunds: Decimal  # the returns made in the bucket, whenever the sale was

    @property
    def revenue(self) -> Decimal:
        """Net of returns."""
        return self.takings - self.refunds


def sales_in_buckets(
    ranges: Sequence[tuple[datetime.datetime, datetime.datetime]],
) -> list[Bucket]:
    """Completed sales, their totals and the refunds made in each [start, end)
    of `ranges`, in one statement: a UNION ALL of two range aggregates per
    bucket, the sales' read from the completed sales' covering index (an
    index-only scan), the refunds' through the returns' created_at index.

    Measured at a million sale lines (docs/performance.md): grouping by the
    local hour or date computed for each row costs a time-zone conversion
    per sale, several times this; the same union built from 49 querysets
    spends longer in the ORM than in the database. So: plain SQL, one
    template repeated, parameters adapted by the backend as the ORM does."""
    sale, refund = _columns(Sale), _columns(Return)
    status = connection.ops.quote_name(Sale._meta.get_field("status").column)
    # Two branches per bucket, so PostgreSQL can still run them as a
    # Parallel Append (a subquery in the select list would forbid it).
    sold = (
        f"SELECT %s, COUNT(*), SUM({sale.total}), NULL FROM {sale.table}"
        f" WHERE {status} = %s AND {sale.created_at} >= %s"
        f" AND {sale.created_at} < %s"
    )
    refunded = (
        f"SELECT %s, 0, NULL, SUM({refund.total}) FROM {refund.table}"
        f" WHERE {refund.created_at} >= %s AND {refund.created_at} < %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for n, (start, end) in enumerate(ranges):
        span = [adapt(start), adapt(end)]
        params += [n, Sale.Status.COMPLETED.value, *span, n, *span]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([sold, refunded] * len(ranges)), params)
        rows = cursor.fetchall()
    totals = [[0, ZERO, ZERO] for _ in ranges]
    for n, sales, takings, refunds in rows:
        totals[n][0] += sales
        totals[n][1] += Decimal(takings or 0)  # SQLite sums decimals as floats
        totals[n][2] += Decimal(refunds or 0)
    return [
        Bucket(start, end, sales, cents(takings), cents(refunds))
        for (start, end), (sales, takings, refunds) in zip(ranges, totals, strict=True)
    ]


@dataclass(frozen=True)
class _Columns:
    table: str
    total: str
    created_at: str


def _columns(model) -> _Columns:
    """A table's and its total's and created_at's quoted names."""
    quote, meta = connection.ops.quote_name, model._meta
    return _Columns(
        quote(meta.db_table),
        *(quote(meta.get_field(name).column) for name in ("total", "created_at")),
    )


def hours_of(day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The 24 hours of a store day, on the store's clock."""
    midnight = store_midnight(day)
    bounds = [midnight + datetime.timedelta(hours=h) for h in range(24)]
    return list(itertools.pairwise([*bounds, store_midnight(day + DAY)]))


# ------------------------------------------------------------------------------
# Today so far and by hour, against the same weekday last week
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    now: Decimal | int
    then: Decimal | int

    @property
    def percent(self) -> int | None:
        """Whole percent from then to now; None when there was nothing then."""
        if not self.then:
            return None
        ratio = (Decimal(self.now) - Decimal(self.then)) * 100 / Decimal(self.then)
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def direction(self) -> str:
        return "up" if self.now > self.then else "down" if self.now < self.then else ""


@dataclass(frozen=True)
class HourRow:
    hour: int
    sales: int
    revenue: Decimal
    then_sales: int  # the same hour of the same weekday last week
    then_revenue: Decimal


@dataclass(frozen=True)
class Today:
    day: datetime.date
    start: datetime.datetime  # the store day's midnight
    end: datetime.datetime  # the next midnight
    then_day: datetime.date  # the same weekday last week
    then_until: datetime.datetime  # the same time of day, last week
    sales: Change  # today so far against last week up to then_until
    revenue: Change  # net of the refunds made in each span
    average_ticket: Change  # net revenue per sale, as in the daily report
    refunds: Decimal  # made today so far
    hours: list[HourRow]  # today's, and all of last week's day


def today(*, now: datetime.datetime) -> Today:
    """Completed sales and net revenue of today so far, against the same
    weekday last week up to the same time of day, and both by hour (all of
    last week's day, to show what the rest of today may bring). One query."""
    local = timezone.localtime(now)
    day = local.date()
    then_until = local - WEEK  # wall-clock arithmetic: the same time of day
    now_hours, then_hours = hours_of(day), hours_of(day - WEEK)
    buckets = sales_in_buckets(
        [*now_hours, *then_hours, (then_hours[0][0], then_until)]
    )
    now_buckets, then_buckets, then_so_far = buckets[:24], buckets[24:48], buckets[48]
    sales = Change(sum(b.sales for b in now_buckets), then_so_far.sales)
    revenue = Change(sum((b.revenue for b in now_buckets), ZERO), then_so_far.revenue)
    return Today(
        day=day,
        start=now_hours[0][0],
        end=now_hours[-1][1],
        then_day=day - WEEK,
        then_until=then_until,
        sales=sales,
        revenue=revenue,
        average_ticket=Change(
            _average(revenue.now, sales.now), _average(revenue.then, sales.then)
        ),
        refunds=sum((b.refunds for b in now_buckets), ZERO),
        hours=[
            HourRow(hour, b.sales, b.revenue, then.sales, then.revenue)
            for hour, (b, then) in enumerate(
                zip(now_buckets, then_buckets, strict=True)
            )
        ],
    )


def _average(revenue: Decimal, sales: int) -> Decimal:
    return cents(revenue / sales) if sales else ZERO


# ------------------------------------------------------------------------------
# Revenue of the last 28 complete store days
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    day: datetime.date
    sales: int
    revenue: Decimal  # net of the day's refunds
    refunds: Decimal


def revenue_by_day(*, now: datetime.datetime, days: int = REVENUE_DAYS) -> list[DayRow]:
    """One row per store day, oldest first, ending yesterday. One query."""
    first = timezone.localdate(now) - datetime.timedelta(days=days)
    dates = [first + datetime.timedelta(days=n) for n in range(days)]
    buckets = sales_in_buckets([store_day_bounds(d) for d in dates])
    return [
        DayRow(d, b.sales, b.revenue, b.refunds)
        for d, b in zip(dates, buckets, strict=True)
    ]


# ------------------------------------------------------------------------------
# Low stock: how many, and the ones that run out first
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LowItem:
    """A low product with the replenishment rule's numbers (inventory.selectors)."""

    pk: int
    sku: str
    name: str
    stock: int
    reorder_point: int
    sold: int  # net units sold over the last 28 complete store days
    velocity: Decimal  # units a day
    days_of_cover: Decimal | None  # None when nothing sold


@dataclass(frozen=True)
class LowStock:
    count: int
    worst: list[LowItem]


def low_products():
    return Product.objects.filter(is_active=True, stock__lte=F("reorder_point"))


def low_stock(*, now: datetime.datetime, worst: int = WORST) -> LowStock:
    """Active products at or below their reorder point: how many (one query)
    and the `worst` with the fewest days of cover (one query; a product that
    sold nothing comes last).

    Velocity and days of cover are the replenishment rule's
    (inventory.selectors.with_replenishment): sales less voids and returns over
    the last 28 complete store days, read from the ledger."""
    rows = (
        with_replenishment(low_products(), day=timezone.localdate(now))
        .order_by(F("days_of_cover").asc(nulls_last=True), "stock", "sku")
        .values(
            "pk",
            "sku",
            "name",
            "stock",
            "reorder_point",
            "sold",
            "velocity",
            "days_of_cover",
        )[:worst]
    )
    return LowStock(count=low_products().count(), worst=[LowItem(**r) for r in rows])


# ------------------------------------------------------------------------------
# Reports: the last daily one, and any that failed
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    name: str
    url: str


@dataclass(frozen=True)
class Reports:
    last_daily: Report | None
    files: list[StoredFile]
    yesterday: datetime.date
    failed_count: int
    failed: list[Report]
    failed_events: int  # low-stock alerts whose event could not be written
    failed_deliveries: int | None  # local mode's alerts not sent; None: not asked

    @property
    def yesterday_missing(self) -> bool:
        return self.last_daily is None or self.last_daily.period_start < self.yesterday


def reports_state(*, now: datetime.datetime, deliveries: bool = True) -> Reports:
    """The newest daily report with its files' URLs (presigned on S3), the
    failed reports, newest first, how many low-stock alerts failed to reach
    the storage (so no alert went out), and how many of local mode's alert
    deliveries failed (alerts.Delivery: retried for an hour, then given up;
    unless `deliveries` is false). Five queries."""
    last = Report.objects.filter(kind=Report.Kind.DAILY).order_by("-period_start")
    last = last.first()
    storage = storages["reports"]
    failed = Report.objects.filter(status=Report.Status.FAILED)
    return Reports(
        last_daily=last,
        files=[
            StoredFile(name, storage.url(key))
            for name, key in (last.files.items() if last else [])
        ],
        yesterday=timezone.localdate(now) - DAY,
        failed_count=failed.count(),
        failed=list(failed.order_by("-period_start", "kind")[:FAILED_SHOWN]),
        failed_events=LowStockAlert.objects.filter(
            event_state=LowStockAlert.EventState.FAILED
        ).count(),
        failed_deliveries=Delivery.objects.filter(status=Delivery.Status.FAILED).count()
        if deliveries
        else None,
    )
