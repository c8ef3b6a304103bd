"""What a report says, read from the database in a few aggregate queries: one
per table, never a Python loop over sales or their lines."""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour
from django.utils import timezone

from inventory.models import Lot, StockMovement
from inventory.selectors import low_stock_item, restock
from reports.periods import Period
from sales.models import Payment, Return, ReturnLine, Sale, SaleLine, Shift

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=14, decimal_places=2)
TOP = 10
# The manifest's `expiring` lots: those whose last day of sale is the day the
# report is read (the day after a daily period) or the next.
EXPIRING_DAYS = 2


@dataclass(frozen=True)
class ProductSales:
    sku: str
    name: str
    qty: int
    revenue: Decimal
    cost: Decimal
    stock: int
    reorder_point: int

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True)
class Totals:
    sales: int
    units: int
    revenue: Decimal  # net of the period's returns
    cost: Decimal
    voided_sales: int
    voided_total: Decimal
    returns: Decimal = ZERO  # refunded in the period
    waste: Decimal = ZERO  # units written off in the period, at cost

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def average_ticket(self) -> Decimal:
        if not self.sales:
            return ZERO
        return (self.revenue / self.sales).quantize(CENT)


@dataclass(frozen=True)
class HourSales:
    hour: int
    sales: int
    revenue: Decimal


@dataclass(frozen=True)
class PaymentTotal:
    method: str
    label: str
    sales: int
    received: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass(frozen=True)
class ShiftRow:
    id: int
    clerk: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    opening_float: Decimal
    expected_cash: Decimal | None
    counted_cash: Decimal | None
    difference: Decimal | None


@dataclass(frozen=True)
class WasteRow:
    """One ledger row `waste` (a write-off, or a return not restocked),
    valued at the cost kept on it (the product's cost for rows older than
    that)."""

    created_at: datetime.datetime
    sku: str
    name: str
    qty: int  # units written off
    unit_cost: Decimal
    value: Decimal
    expires_on: datetime.date | None  # the lot's, for a lot written off
    ref: str
    note: str


@dataclass(frozen=True)
class ExpiringLot:
    """Units of a product whose expiry date is `expires_on` (lots of one
    product and date counted together)."""

    sku: str
    name: str
    expires_on: datetime.date
    qty: int


@dataclass(frozen=True)
class ReportData:
    period: Period
    generated_at: datetime.datetime
    totals: Totals
    products: list[ProductSales]  # every product sold, best revenue first
    by_hour: list[HourSales]  # the 24 hours of the store's clock
    # What to restock, as inventory.selectors.low_stock_item gives it.
    restock: list[dict[str, Any]]
    payments: list[PaymentTotal] = field(default_factory=list)  # Payment's order
    shifts: list[ShiftRow] = field(default_factory=list)  # opened or closed in it
    waste: list[WasteRow] = field(default_factory=list)  # oldest first
    expiring: list[ExpiringLot] = field(default_factory=list)  # soonest first

    @property
    def top_by_revenue(self) -> list[ProductSales]:
        return self.products[:TOP]

    @property
    def top_by_units(self) -> list[ProductSales]:
        return sorted(self.products, key=lambda p: (-p.qty, p.sku))[:TOP]


def report_data(*, period: Period) -> ReportData:
    start, end = period.bounds
    in_period = Q(created_at__gte=start, created_at__lt=end)
    completed = Q(status=Sale.Status.COMPLETED)

    sold = [
        ProductSales(
            **row | {"revenue": cents(row["revenue"]), "cost": cents(row["cost"])}
        )
        for row in SaleLine.objects.filter(
            sale__status=Sale.Status.COMPLETED,
            sale__created_at__gte=start,
            sale__created_at__lt=end,
        )
        .values(
            sku=F("product__sku"),
            name=F("product__name"),
            stock=F("product__stock"),
            reorder_point=F("product__reorder_point"),
        )
        .annotate(
            qty=Sum("quantity"),
            revenue=Sum("line_total"),
            cost=Sum(F("unit_cost") * F("quantity"), output_field=MONEY),
        )
        .order_by("-revenue", "sku")
    ]
    products = _net_of_returns(sold, _returned(start, end))

    sales = Sale.objects.filter(in_period).aggregate(
        sales=Count("pk", filter=completed),
        revenue=Coalesce(Sum("total", filter=completed), Value(ZERO)),
        voided_sales=Count("pk", filter=~completed),
        voided_total=Coalesce(Sum("total", filter=~completed), Value(ZERO)),
    )
    payments = payment_totals(start, end)
    refunded = sum((p.refunded for p in payments), ZERO)
    waste = waste_of(start, end)
    totals = Totals(
        sales=sales["sales"],
        units=sum(p.qty for p in products),
        revenue=cents(sales["revenue"]) - refunded,
        cost=sum((p.cost for p in products), ZERO),
        voided_sales=sales["voided_sales"],
        voided_total=cents(sales["voided_total"]),
        returns=refunded,
        waste=sum((w.value for w in waste), ZERO),
    )

    hours = {
        row["hour"]: HourSales(row["hour"], row["sales"], cents(row["revenue"]))
        for row in Sale.objects.filter(in_period & completed)
        .annotate(
            hour=ExtractHour("created_at", tzinfo=timezone.get_default_timezone())
        )
        .values("hour")
        .annotate(sales=Count("pk"), revenue=Sum("total"))
        .order_by("hour")
    }
    by_hour = [hours.get(h, HourSales(h, 0, ZERO)) for h in range(24)]

    return ReportData(
        period=period,
        generated_at=timezone.now(),
        totals=totals,
        products=products,
        by_hour=by_hour,
        restock=[low_stock_item(p) for p in restock(day=period.end)],
        payments=payments,
        shifts=shifts_of(start, end),
        waste=waste,
        expiring=expiring_from(period.end),
    )


def _returned(start, end) -> dict[str, ProductSales]:
    """Per product, what the period's returns took back (at the price sold and
    the cost of the sale), whenever the sale was."""
    rows = (
        ReturnLine.objects.filter(
            sale_return__created_at__gte=start, sale_return__created_at__lt=end
        )
        .values(
            sku=F("sale_line__product__sku"),
            name=F("sale_line__product__name"),
            stock=F("sale_line__product__stock"),
            reorder_point=F("sale_line__product__reorder_point"),
        )
        .annotate(
            qty=Sum("quantity"),
            revenue=Sum("line_total"),
            cost=Sum(F("sale_line__unit_cost") * F("quantity"), output_field=MONEY),
        )
        .order_by()
    )
    return {
        row["sku"]: ProductSales(
            **row | {"revenue": cents(row["revenue"]), "cost": cents(row["cost"])}
        )
        for row in rows
    }


def _net_of_returns(
    sold: list[ProductSales], returned: dict[str, ProductSales]
) -> list[ProductSales]:
    """Each product's sales less its returns (a product only returned in the
    period shows negative), best revenue first. One pass over products."""
    net = []
    for p in sold:
        r = returned.pop(p.sku, None)
        if r is None:
            net.append(p)
            continue
        net.append(
            replace(
                p,
                qty=p.qty - r.qty,
                revenue=p.revenue - r.revenue,
                cost=p.cost - r.cost,
            )
        )
    net += [
        replace(r, qty=-r.qty, revenue=-r.revenue, cost=-r.cost)
        for r in returned.values()
    ]
    return sorted(net, key=lambda p: (-p.revenue, p.sku))


def payment_totals(start, end) -> list[PaymentTotal]:
    """Per payment method: completed sales and what they took in, and what the
    period's returns refunded by that method."""
    received = {
        row["payment"]: row
        for row in Sale.objects.filter(
            status=Sale.Status.COMPLETED, created_at__gte=start, created_at__lt=end
        )
        .values("payment")
        .annotate(sales=Count("pk"), amount=Sum("total"))
        .order_by()
    }
    refunded = dict(
        Return.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("refund_method")
        .annotate(amount=Sum("total"))
        .order_by()
        .values_list("refund_method", "amount")
    )
    return [
        PaymentTotal(
            method=method,
            label=str(label),
            sales=received.get(method, {}).get("sales", 0),
            received=cents(received.get(method, {}).get("amount") or 0),
            refunded=cents(refunded.get(method) or 0),
        )
        for method, label in Payment.choices
    ]


def shifts_of(start, end) -> list[ShiftRow]:
    """Shifts opened or closed in the period, with their cash-up."""
    return [
        ShiftRow(
            **{k: v for k, v in row.items() if k != "username"}, clerk=row["username"]
        )
        for row in Shift.objects.filter(
            Q(opened_at__gte=start, opened_at__lt=end)
            | Q(closed_at__gte=start, closed_at__lt=end)
        )
        .values(
            "id",
            "opened_at",
            "closed_at",
            "opening_float",
            "expected_cash",
            "counted_cash",
            "difference",
            username=F("clerk__username"),
        )
        .order_by("opened_at", "id")
    ]


def waste_of(start, end) -> list[WasteRow]:
    """The period's ledger rows `waste`, oldest first, each valued at cost:
    units times the cost kept on the row. One query."""
    rows = (
        StockMovement.objects.filter(
            reason=StockMovement.Reason.WASTE,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values(
            "pk",
            "created_at",
            "ref",
            "note",
            sku=F("product__sku"),
            name=F("product__name"),
            qty=-F("delta"),
            cost=Coalesce("unit_cost", "product__cost"),
        )
        .annotate(expires_on=Min("lot_moves__lot__expires_on"))
        .order_by("created_at", "pk")
    )
    return [
        WasteRow(
            **{k: v for k, v in row.items() if k not in ("pk", "cost")},
            unit_cost=cents(row["cost"]),
            value=cents(row["qty"] * row["cost"]),
        )
        for row in rows
    ]


def expiring_from(day: datetime.date) -> list[ExpiringLot]:
    """Units in lots whose expiry date is `day` or within EXPIRING_DAYS of
    it, per product and date, soonest first. One query."""
    last = day + datetime.timedelta(days=EXPIRING_DAYS - 1)
    return [
        ExpiringLot(**row)
        for row in Lot.objects.filter(
            units_left__gt=0, expires_on__gte=day, expires_on__lte=last
        )
        .values("expires_on", sku=F("product__sku"), name=F("product__name"))
        .annotate(qty=Sum("units_left"))
        .order_by("expires_on", "sku")
    ]


def cents(amount: Decimal) -> Decimal:
    """Money to the cent: SQLite sums decimals as floating point."""
    return Decimal(amount).quantize(CENT)
