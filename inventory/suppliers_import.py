"""Supplier files: upsert by name, all-or-nothing (DESIGN.md, Commands).

Columns: `name`, optional `email,phone,lead_time_days,min_order_value`. A blank
optional cell means "not given": an existing supplier keeps its value.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from inventory.exceptions import ImportRejected
from inventory.importing import MAX_PRICE, _at_row, _decode
from inventory.models import Supplier

COLUMNS = ("name", "email", "phone", "lead_time_days", "min_order_value")
MAX_LEAD_DAYS = 365


@dataclass(frozen=True)
class SupplierImportSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return gettext(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % vars(self)


def suppliers_import(*, data: bytes) -> SupplierImportSummary:
    """Upsert suppliers from CSV bytes; raises ImportRejected, writing nothing."""
    rows = _parse(data)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            s.name: s
            for s in Supplier.objects.select_for_update().filter(name__in=list(rows))
        }
        for name, values in rows.items():
            supplier = existing.get(name)
            if supplier is None:
                Supplier.objects.create(name=name, **values)
                created += 1
            elif all(getattr(supplier, k) == v for k, v in values.items()):
                unchanged += 1
            else:
                Supplier.objects.filter(pk=supplier.pk).update(**values)
                updated += 1
    return SupplierImportSummary(created, updated, unchanged)


def _parse(data: bytes) -> dict[str, dict]:
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportRejected(
            [gettext("the file is empty; the first row must name the columns")]
        )
    if "name" not in header:
        error = gettext("missing column(s): %(columns)s") % {"columns": "name"}
        raise ImportRejected([_at_row(1, error)])
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        error = gettext("unknown column(s): %(columns)s") % {
            "columns": ", ".join(unknown)
        }
        raise ImportRejected([_at_row(1, error)])
    reader.fieldnames = header
    rows: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    errors: list[str] = []
    for raw in reader:
        number = reader.line_num
        cell = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cell.values()):
            continue
        name, values, row_errors = _clean(cell, extra=bool(raw.get(None)))
        if name and name in first_row:
            row_errors.append(
                gettext("name %(name)r is already on row %(row)s")
                % {"name": name, "row": first_row[name]}
            )
        if row_errors:
            errors.extend(_at_row(number, e) for e in row_errors)
            continue
        first_row[name] = number
        rows[name] = values
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([gettext("the file has a header but no suppliers")])
    return rows


def _clean(cell: dict[str, str], *, extra: bool) -> tuple[str, dict, list[str]]:
    errors = [gettext("more cells than columns")] if extra else []
    values: dict = {}
    name = " ".join(cell.get("name", "").split())
    if not name:
        errors.append(gettext("%(column)s: required") % {"column": "name"})
    elif len(name) > 120:
        errors.append(
            gettext("%(column)s: longer than %(max)s characters")
            % {"column": "name", "max": 120}
        )
    if email := cell.get("email", ""):
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                gettext("%(column)s: %(value)r is not an e-mail address")
                % {"column": "email", "value": email}
            )
        values["email"] = email
    if phone := cell.get("phone", ""):
        if len(phone) > 32:
            errors.append(
                gettext("%(column)s: longer than %(max)s characters")
                % {"column": "phone", "max": 32}
            )
        values["phone"] = phone
    if lead := cell.get("lead_time_days", ""):
        if not lead.isdigit() or int(lead) > MAX_LEAD_DAYS:
            errors.append(
                gettext("%(column)s: %(value)r is not a whole number from 0 to %(max)s")
                % {"column": "lead_time_days", "value": lead, "max": MAX_LEAD_DAYS}
            )
        else:
            values["lead_time_days"] = int(lead)
    if minimum := cell.get("min_order_value", ""):
        try:
            amount = Decimal(minimum)
        except InvalidOperation:
            amount = None
        if (
            amount is None
            or not amount.is_finite()
            or not 0 <= amount <= MAX_PRICE
            or amount.as_tuple().exponent < -2
        ):
            errors.append(
                gettext("%(column)s: %(value)r is not an amount like %(example)s")
                % {"column": "min_order_value", "value": minimum, "example": "300.00"}
            )
        else:
            values["min_order_value"] = amount.quantize(Decimal("0.01"))
    return name, values, errors
