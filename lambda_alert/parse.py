"""Reading a report manifest or a low-stock event into plain values.

The shapes are written by reports/services.py `report_summary` and
inventory/low_stock.py `low_stock_event`; anything else is `Malformed`.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

SCHEMA = 1
DEFAULT_TIME_ZONE = "America/Sao_Paulo"

_MISSING: Any = object()
_T = TypeVar("_T")


class Malformed(ValueError):
    """An object under an alert key that cannot be understood."""


@dataclass(frozen=True)
class Item:
    """A product at or below its reorder point, as a manifest or event lists it."""

    sku: str
    name: str
    stock: int
    reorder_point: int
    par_level: int
    suggested_qty: int  # the replenishment rule's order, net of on_order
    supplier: str = ""
    supplier_email: str = ""
    on_order: int = 0  # units on purchase orders sent, not yet received
    velocity: Decimal | None = None  # units sold a day (last 28 days)
    days_of_cover: Decimal | None = None  # None when nothing sold


@dataclass(frozen=True)
class Draft:
    """A draft purchase order waiting for the manager's approval."""

    number: str  # PO-12
    supplier: str
    lines: int
    total: Decimal
    min_order_value: Decimal

    @property
    def below_minimum(self) -> bool:
        return self.total < self.min_order_value


@dataclass(frozen=True)
class Seller:
    """One of a report's top products."""

    sku: str
    name: str
    qty: int
    revenue: Decimal


@dataclass(frozen=True)
class Expiring:
    """Units of a product in lots that expire on one day (the manifest's
    `expiring`: lots expiring within two days)."""

    sku: str
    name: str
    expires_on: datetime.date
    qty: int


@dataclass(frozen=True)
class Report:
    """The parts of a report manifest that the alert tells."""

    kind: str  # daily | weekly
    period: str  # 2026-11-27 | 2026-W48
    time_zone: str
    sales: int
    units: int | None
    revenue: Decimal
    average_ticket: Decimal
    voided_sales: int
    voided_total: Decimal
    top: tuple[Seller, ...]
    items: tuple[Item, ...]
    files: dict[str, str]
    drafts: tuple[Draft, ...] = ()
    expiring: tuple[Expiring, ...] = ()
    waste: Decimal = Decimal(0)  # units written off in the period, at cost


@dataclass(frozen=True)
class Event:
    """A low-stock event: one product crossed its reorder point."""

    opened_at: datetime.datetime
    reason: str
    item: Item


def document(body: bytes) -> dict[str, Any]:
    """The JSON object in body, of the schema this code reads."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise Malformed(f"not JSON: {exc}") from None
    doc = _object(doc, "the document")
    if (schema := _field(doc, "schema", int, "")) != SCHEMA:
        raise Malformed(f"schema {schema}, expected {SCHEMA}")
    return doc


def report(doc: dict[str, Any], *, kind: str, period: str) -> Report:
    """A manifest, which must be the kind and period its key names."""
    if (_field(doc, "kind", str, ""), _field(doc, "period", str, "")) != (
        kind,
        period,
    ):
        raise Malformed(f"the manifest is not the {kind} report {period}")
    totals = _object(doc.get("totals", _MISSING), "totals")
    sales = _field(totals, "sales", int, "totals.")
    revenue = _money(totals, "revenue", "totals.")
    average = _money(totals, "average_ticket", "totals.", default=None)
    if average is None:
        average = (revenue / sales).quantize(Decimal("0.01")) if sales else Decimal(0)
    top = _field(doc, "top_products", list, "", default=[])
    low = _field(doc, "low_stock", list, "")
    drafts = _field(doc, "purchase_orders", list, "", default=[])
    # Optional: manifests before perishables.
    expiring = _field(doc, "expiring", list, "", default=[])
    files = _object(doc.get("files", {}), "files")
    return Report(
        kind=kind,
        period=period,
        time_zone=_field(doc, "time_zone", str, "", default=DEFAULT_TIME_ZONE),
        sales=sales,
        units=_field(totals, "units", int, "totals.", default=None),
        revenue=revenue,
        average_ticket=average,
        voided_sales=_field(totals, "voided_sales", int, "totals.", default=0),
        voided_total=_money(totals, "voided_total", "totals.", default=Decimal(0)),
        top=tuple(_seller(raw, f"top_products[{n}]") for n, raw in enumerate(top)),
        items=tuple(_item(raw, f"low_stock[{n}]") for n, raw in enumerate(low)),
        files={str(name): str(key) for name, key in files.items()},
        drafts=tuple(
            _draft(raw, f"purchase_orders[{n}]") for n, raw in enumerate(drafts)
        ),
        expiring=tuple(
            _expiring(raw, f"expiring[{n}]") for n, raw in enumerate(expiring)
        ),
        waste=_money(totals, "waste", "totals.", default=Decimal(0)),
    )


def event(doc: dict[str, Any]) -> Event:
    """A low-stock event."""
    if (kind := _field(doc, "kind", str, "")) != "low_stock":
        raise Malformed(f"kind is {kind!r}, expected 'low_stock'")
    try:
        opened = datetime.datetime.fromisoformat(_field(doc, "opened_at", str, ""))
    except ValueError:
        raise Malformed("opened_at is not an ISO date and time") from None
    return Event(
        opened_at=opened,
        reason=_field(doc, "reason", str, "", default=""),
        item=_item(doc.get("product", _MISSING), "product"),
    )


def clean(text: str) -> str:
    """One line: a newline in a name would break the Subject and the tables."""
    return " ".join(text.split())


def _seller(raw: object, where: str) -> Seller:
    doc = _object(raw, where)
    where += "."
    return Seller(
        sku=_text(doc, "sku", where),
        name=_text(doc, "name", where),
        qty=_field(doc, "qty", int, where),
        revenue=_money(doc, "revenue", where),
    )


def _draft(raw: object, where: str) -> Draft:
    doc = _object(raw, where)
    where += "."
    return Draft(
        number=_text(doc, "number", where),
        supplier=_text(doc, "supplier", where),
        lines=_field(doc, "lines", int, where),
        total=_money(doc, "total", where),
        min_order_value=_money(doc, "min_order_value", where, default=Decimal(0)),
    )


def _expiring(raw: object, where: str) -> Expiring:
    doc = _object(raw, where)
    where += "."
    sku = _text(doc, "sku", where)
    try:
        expires_on = datetime.date.fromisoformat(_field(doc, "expires_on", str, where))
    except ValueError:
        raise Malformed(f"{where}expires_on is not a YYYY-MM-DD date") from None
    return Expiring(
        sku=sku,
        # Optional: DESIGN.md names sku, expires_on and qty; the app adds name.
        name=clean(_field(doc, "name", str, where, default="")) or sku,
        expires_on=expires_on,
        qty=_field(doc, "qty", int, where),
    )


def _item(raw: object, where: str) -> Item:
    doc = _object(raw, where)
    where += "."
    stock = _field(doc, "stock", int, where)
    suggested = _field(doc, "suggested_qty", int, where)
    return Item(
        sku=_text(doc, "sku", where),
        name=_text(doc, "name", where),
        stock=stock,
        reorder_point=_field(doc, "reorder_point", int, where),
        # Optional: the first manifests (DESIGN.md) listed only the quantity.
        par_level=_field(doc, "par_level", int, where, default=stock + suggested),
        suggested_qty=suggested,
        supplier=clean(_field(doc, "supplier", str, where, default="")),
        supplier_email=_field(doc, "supplier_email", str, where, default="").strip(),
        # Optional: manifests and events before the replenishment rule.
        on_order=_field(doc, "on_order", int, where, default=0),
        velocity=_money(doc, "velocity", where, default=None),
        days_of_cover=_money(doc, "days_of_cover", where, default=None),
    )


def _object(value: object, where: str) -> dict[str, Any]:
    if value is _MISSING:
        raise Malformed(f"{where} is missing")
    if not isinstance(value, dict):
        raise Malformed(f"{where} should be an object")
    return value


def _field(
    doc: dict[str, Any], name: str, kind: type[_T], where: str, default: Any = _MISSING
) -> _T:
    """doc[name], checked to be a `kind`; default (if given) for missing or null."""
    value = doc.get(name, _MISSING)
    if value is _MISSING or (value is None and default is not _MISSING):
        if default is _MISSING:
            raise Malformed(f"{where}{name} is missing")
        return default
    # bool is an int to isinstance, but true is no stock level.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Malformed(f"{where}{name} should be {kind.__name__}, not {value!r:.40}")
    return value


def _text(doc: dict[str, Any], name: str, where: str) -> str:
    if not (value := clean(_field(doc, name, str, where))):
        raise Malformed(f"{where}{name} is empty")
    return value


def _money(
    doc: dict[str, Any], name: str, where: str, default: Any = _MISSING
) -> Decimal:
    text = _field(doc, name, str, where, default=default)
    if not isinstance(text, str):
        return text  # the default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Malformed(f"{where}{name} is not a decimal: {text!r:.40}") from None
    if not value.is_finite():
        raise Malformed(f"{where}{name} is not a number: {text!r:.40}")
    return value
