"""The replenishment rule (DESIGN.md, Replenishment), in one place.

`with_replenishment` annotates any product queryset with every number of the
rule, computed by the database in the same query (the window's ledger rows
joined and summed per product, the on-order view joined), so the whole
catalogue costs one query and a page of the admin costs one too. Everything
that suggests an order (restock.csv, the manifest, the low-stock event and so
the alert texts, the PDF, the admin, the product API, `replenish`) reads
these annotations.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Round
from django.utils import timezone

from inventory.models import IS_LOW, Lot, Product, StockMovement
from pitstop.clock import store_midnight, store_today

WINDOW_DAYS = 28  # velocity: units a day over the last 28 complete store days
SAFETY_DAYS = 7  # an order covers the lead time plus a week of sales
# Ledger reasons that are demand: sales, less voids and restocked returns.
DEMAND_REASONS = [
    StockMovement.Reason.SALE,
    StockMovement.Reason.VOID,
    StockMovement.Reason.RETURN,
]
# Units on purchase orders sent and not fully received reach a product by
# this related name (purchasing.OnOrder, a view); inventory reads them through
# the relation and never imports that app.
ON_ORDER = "on_order_row"

_INT = IntegerField()
_FLOAT = FloatField()
_RATE = DecimalField(max_digits=12, decimal_places=2)
_COVER = DecimalField(max_digits=12, decimal_places=1)
# The annotations' places, for their text: SQLite hands a computed decimal
# back with a float's digits (1.1 as 1.10000000000000).
RATE_PLACES = Decimal("0.01")
COVER_PLACES = Decimal("0.1")


def demand_window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The 28 complete store days before `day`, as [start, end)."""
    start = day - datetime.timedelta(days=WINDOW_DAYS)
    return store_midnight(start), store_midnight(day)


def with_replenishment(
    products: QuerySet[Product] | None = None, *, day: datetime.date | None = None
) -> QuerySet[Product]:
    """products (default: all) with `sold` (net units over the window),
    `velocity`, `days_of_cover`, `on_order`, `lead_time`, `target`,
    `needs_ordering` and `suggested_qty` annotated; `day` is the first day
    after the window (default: today)."""
    products = Product.objects.all() if products is None else products
    start, end = demand_window(day or timezone.localdate())
    # The window's demand movements, joined (conditions in the ON clause) and
    # summed: PostgreSQL computes the identical SUM once however often the
    # annotations below repeat it, where a correlated subquery would run
    # again for each mention.
    window_moves = FilteredRelation(
        "movements",
        condition=Q(
            movements__reason__in=DEMAND_REASONS,
            movements__created_at__gte=start,
            movements__created_at__lt=end,
        ),
    )
    window = Value(WINDOW_DAYS)
    return products.alias(window_moves=window_moves).annotate(
        # Sales are negative movements; more voids than sales in the window
        # (a sale before it voided inside it) is no demand at all.
        sold=Greatest(-Coalesce(Sum("window_moves__delta"), 0), Value(0)),
        # One value per product, wrapped in Max so that they stay out of the
        # GROUP BY: grouped by the product's key alone, PostgreSQL aggregates
        # the joined rows in the order it reads them, with no sort.
        # On order: a view of one row per product (purchasing.OnOrder).
        on_order=Max(Coalesce(F(f"{ON_ORDER}__units"), 0)),
        lead_time=Max(Coalesce(F("supplier__lead_time_days"), 0)),
        stock_days=Max(F("stock") * window),
        # Divided as floating point (SQLite would divide whole numbers as
        # whole numbers), rounded, then kept as decimals.
        velocity=Cast(Round(Cast("sold", _FLOAT) / window, 2), _RATE),
        days_of_cover=Case(
            When(
                sold__gt=0,
                then=Cast(Round(Cast("stock_days", _FLOAT) / F("sold"), 1), _COVER),
            ),
            default=None,
            output_field=_COVER,
        ),
        # ⌈velocity x (lead + 7)⌉ in whole numbers: ⌈sold x days / 28⌉.
        target=Greatest(
            F("par_level"),
            (F("sold") * (F("lead_time") + SAFETY_DAYS) + WINDOW_DAYS - 1) / window,
            output_field=_INT,
        ),
        needs_ordering=ExpressionWrapper(
            Q(stock__lte=F("reorder_point") - F("on_order"))
            # days of cover < lead time, without dividing: stock x 28 < sold x lead
            | Q(stock_days__lt=F("sold") * F("lead_time")),
            output_field=BooleanField(),
        ),
        shortfall=Greatest(F("target") - F("stock") - F("on_order"), Value(0)),
        suggested_qty=Case(
            When(
                needs_ordering=True,
                then=(F("shortfall") + F("pack_size") - 1)
                / F("pack_size")
                * F("pack_size"),
            ),
            default=0,
            output_field=_INT,
        ),
    )


def restock(*, day: datetime.date | None = None) -> QuerySet[Product]:
    """Active products at or below their reorder point or that need ordering,
    with the rule's numbers, by supplier (those with none first), then sku."""
    return (
        with_replenishment(Product.objects.filter(is_active=True), day=day)
        .filter(IS_LOW | Q(needs_ordering=True))
        .select_related("supplier")
        .annotate(supplier_name=Coalesce(F("supplier__name"), Value("")))
        .order_by("supplier_name", "sku")
    )


def low_stock_item(product: Product) -> dict[str, Any]:
    """The JSON of a product to restock, as the manifest's `low_stock` and the
    low-stock event carry it; `product` comes from with_replenishment."""
    supplier = product.supplier
    return {
        "sku": product.sku,
        "name": product.name,
        "stock": product.stock,
        "reorder_point": product.reorder_point,
        "par_level": product.par_level,
        "suggested_qty": product.suggested_qty,
        "on_order": product.on_order,
        "velocity": _text_or_none(product.velocity, RATE_PLACES),
        "days_of_cover": _text_or_none(product.days_of_cover, COVER_PLACES),
        "pack_size": product.pack_size,
        "supplier": supplier.name if supplier else "",
        "supplier_email": supplier.email if supplier else "",
        "lead_time_days": product.lead_time,
    }


def _text_or_none(value: Decimal | None, places: Decimal) -> str | None:
    return None if value is None else str(value.quantize(places))


def with_lots(products: QuerySet[Product], *, today=None) -> QuerySet[Product]:
    """Annotate products that track expiry with `sellable` (units in lots
    dated and not expired in the store's time zone) and `expires_next` (the
    earliest such lot's date, None without one); both None for a product
    that does not track expiry. In the same query (two subqueries on the
    lots' product-and-date index)."""
    today = today or store_today()
    sellable_lots = Lot.objects.filter(
        product=OuterRef("pk"), units_left__gt=0, expires_on__gte=today
    ).order_by()
    units = sellable_lots.values("product").annotate(n=Sum("units_left")).values("n")
    earliest = sellable_lots.values("product").annotate(d=Min("expires_on")).values("d")
    tracked = Q(tracks_expiry=True)
    return products.annotate(
        sellable=Case(
            When(tracked, then=Coalesce(Subquery(units, output_field=_INT), 0)),
            default=None,
            output_field=_INT,
        ),
        expires_next=Case(
            When(tracked, then=Subquery(earliest, output_field=DateField())),
            default=None,
            output_field=DateField(),
        ),
    )
