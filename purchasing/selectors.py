"""Reading purchase orders."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from purchasing.models import PREFIX, PurchaseOrder, PurchaseOrderLine

MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class DraftSummary:
    """A draft to approve, as `replenish` prints it and the digest names it."""

    number: str
    supplier: str
    lines: int
    total: Decimal
    min_order_value: Decimal

    @property
    def below_minimum(self) -> bool:
        return self.total < self.min_order_value

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "supplier": self.supplier,
            "lines": self.lines,
            "total": str(self.total),
            "min_order_value": str(self.min_order_value),
            "below_minimum": self.below_minimum,
        }


def order_id_from_number(number: str) -> int | None:
    """12 from "PO-12" or "12"; None for anything else."""
    digits = number.strip().upper().removeprefix(PREFIX)
    if not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def orders_with_totals(orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    """orders with `line_count` and `total` (ordered units at their cost)."""
    return orders.select_related("supplier").annotate(
        line_count=Count("lines"),
        total=Coalesce(
            Sum(F("lines__ordered") * F("lines__unit_cost"), output_field=MONEY),
            Value(Decimal("0.00")),
            output_field=MONEY,
        ),
    )


def draft_summaries() -> list[DraftSummary]:
    """Every draft, by supplier name, with its line count and total (one query)."""
    drafts = orders_with_totals(
        PurchaseOrder.objects.filter(status=PurchaseOrder.Status.DRAFT)
    ).order_by("supplier__name")
    return [
        DraftSummary(
            number=order.number,
            supplier=order.supplier.name,
            lines=order.line_count,
            total=Decimal(order.total).quantize(Decimal("0.01")),
            min_order_value=order.supplier.min_order_value,
        )
        for order in drafts
    ]


def late_orders(*, day: datetime.date) -> QuerySet[PurchaseOrder]:
    """Orders still awaited (sent or partly received) whose expected date is
    before `day`: the admin's "late" filter and the dashboard's card."""
    return PurchaseOrder.objects.filter(
        status__in=[PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTIAL],
        expected_on__lt=day,
    )


def order_detail(order_id: int) -> PurchaseOrder:
    """An order with its supplier and lines (with products); DoesNotExist if none."""
    lines = PurchaseOrderLine.objects.select_related("product").order_by("product__sku")
    return (
        PurchaseOrder.objects.select_related("supplier")
        .prefetch_related(Prefetch("lines", lines))
        .get(pk=order_id)
    )
