"""The numbers of the manager's dashboard (the admin's home page).

Each card reads the database in a small, fixed number of aggregate queries,
none per row, so the page costs the same with ten sales or ten million. Every
function takes `now`, the moment the page is for, in any time zone; store days
run midnight to midnight in the store's zone."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.storage import storages
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    FloatField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractHour,
    Greatest,
    NullIf,
    TruncDate,
)
from django.utils import timezone

from inventory.models import Product, StockMovement
from reports.models import Report
from reports.selectors import ZERO, cents
from sales.models import Sale
from sales.selectors import store_day_bounds, store_midnight

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)
REVENUE_DAYS = 28
VELOCITY_DAYS = 28  # DESIGN.md, Replenishment: the last 28 complete store days
WORST = 5
FAILED_SHOWN = 5
COMPLETED = Q(status=Sale.Status.COMPLETED)
DEMAND = [StockMovement.Reason.SALE, StockMovement.Reason.VOID]


# ------------------------------------------------------------------------------
# Today so far, against the same weekday last week up to the same time
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
class TodaySoFar:
    day: datetime.date
    start: datetime.datetime  # the store day's midnight
    end: datetime.datetime  # the next midnight
    then_day: datetime.date  # the same weekday last week
    then_until: datetime.datetime  # the same time of day, last week
    sales: Change
    revenue: Change
    average_ticket: Change


def today_so_far(*, now: datetime.datetime) -> TodaySoFar:
    """Completed sales and revenue of today so far, and of the same weekday
    last week up to the same time of day. One query."""
    local = timezone.localtime(now)
    day = local.date()
    start, end = store_day_bounds(day)
    then_start = store_midnight(day - WEEK)
    then_until = local - WEEK  # wall-clock arithmetic: the same time of day
    today = Q(created_at__gte=start, created_at__lt=end)
    then = Q(created_at__gte=then_start, created_at__lt=then_until)
    row = (
        Sale.objects.filter(COMPLETED)
        .filter(today | then)
        .aggregate(
            sales=Count("pk", filter=today),
            revenue=Coalesce(Sum("total", filter=today), Value(ZERO)),
            then_sales=Count("pk", filter=then),
            then_revenue=Coalesce(Sum("total", filter=then), Value(ZERO)),
        )
    )
    revenue = Change(cents(row["revenue"]), cents(row["then_revenue"]))
    sales = Change(row["sales"], row["then_sales"])
    return TodaySoFar(
        day=day,
        start=start,
        end=end,
        then_day=day - WEEK,
        then_until=then_until,
        sales=sales,
        revenue=revenue,
        average_ticket=Change(
            _average(revenue.now, sales.now), _average(revenue.then, sales.then)
        ),
    )


def _average(revenue: Decimal, sales: int) -> Decimal:
    return cents(revenue / sales) if sales else ZERO


# ------------------------------------------------------------------------------
# Sales by hour: today against the whole of the same weekday last week
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourRow:
    hour: int
    sales: int
    revenue: Decimal
    then_sales: int
    then_revenue: Decimal


def sales_by_hour(*, now: datetime.datetime) -> list[HourRow]:
    """The 24 hours of today and of the same weekday last week (all of it, to
    show what the rest of today may bring). One query."""
    zone = timezone.get_default_timezone()
    day = timezone.localdate(now)
    start, end = store_day_bounds(day)
    then_start, then_end = store_day_bounds(day - WEEK)
    cells = {
        (row["day"] == day, row["hour"]): row
        for row in Sale.objects.filter(COMPLETED)
        .filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(created_at__gte=then_start, created_at__lt=then_end)
        )
        .annotate(
            day=TruncDate("created_at", tzinfo=zone),
            hour=ExtractHour("created_at", tzinfo=zone),
        )
        .values("day", "hour")
        .annotate(sales=Count("pk"), revenue=Sum("total"))
        .order_by()
    }
    empty = {"sales": 0, "revenue": ZERO}
    rows = []
    for hour in range(24):
        today = cells.get((True, hour), empty)
        then = cells.get((False, hour), empty)
        rows.append(
            HourRow(
                hour=hour,
                sales=today["sales"],
                revenue=cents(today["revenue"]),
                then_sales=then["sales"],
                then_revenue=cents(then["revenue"]),
            )
        )
    return rows


# ------------------------------------------------------------------------------
# Revenue of the last 28 complete store days
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    day: datetime.date
    sales: int
    revenue: Decimal


def revenue_by_day(*, now: datetime.datetime, days: int = REVENUE_DAYS) -> list[DayRow]:
    """One row per store day, oldest first, ending yesterday. One query."""
    zone = timezone.get_default_timezone()
    last = timezone.localdate(now) - DAY
    first = last - datetime.timedelta(days=days - 1)
    found = {
        row["day"]: row
        for row in Sale.objects.filter(
            COMPLETED,
            created_at__gte=store_midnight(first),
            created_at__lt=store_midnight(last + DAY),
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(sales=Count("pk"), revenue=Sum("total"))
        .order_by()
    }
    rows = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        row = found.get(day, {"sales": 0, "revenue": ZERO})
        rows.append(DayRow(day, row["sales"], cents(row["revenue"])))
    return rows


# ------------------------------------------------------------------------------
# Low stock: how many, and the ones that run out first
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LowItem:
    pk: int
    sku: str
    name: str
    stock: int
    reorder_point: int
    sold: int  # net units sold over the last VELOCITY_DAYS complete store days

    @property
    def velocity(self) -> Decimal:
        """Units a day."""
        return (Decimal(self.sold) / VELOCITY_DAYS).quantize(Decimal("0.01"))

    @property
    def days_of_cover(self) -> Decimal | None:
        if not self.sold:
            return None
        days = Decimal(self.stock) * VELOCITY_DAYS / self.sold
        return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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

    Demand is read from the ledger as the replenishment rule does (DESIGN.md):
    sales less voids over the last 28 complete store days, through the
    (product, created_at) index, so it costs the low products' movements of
    those days and not the whole sales history."""
    end = store_midnight(timezone.localdate(now))
    start = end - datetime.timedelta(days=VELOCITY_DAYS)
    moves = FilteredRelation(
        "movements",
        condition=Q(
            movements__reason__in=DEMAND,
            movements__created_at__gte=start,
            movements__created_at__lt=end,
        ),
    )
    rows = (
        low_products()
        .alias(window_moves=moves)
        .annotate(sold=Greatest(-Coalesce(Sum("window_moves__delta"), 0), Value(0)))
        .annotate(
            cover=Cast(F("stock"), FloatField())
            / Cast(NullIf(F("sold"), 0), FloatField())
        )
        .order_by(F("cover").asc(nulls_last=True), "stock", "sku")
        .values("pk", "sku", "name", "stock", "reorder_point", "sold")[:worst]
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

    @property
    def yesterday_missing(self) -> bool:
        return self.last_daily is None or self.last_daily.period_start < self.yesterday


def reports_state(*, now: datetime.datetime) -> Reports:
    """The newest daily report with its files' URLs (presigned on S3), and the
    failed reports, newest first. Three queries."""
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
    )
