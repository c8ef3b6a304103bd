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

from inventory.exceptions import ImportRejected
from inventory.importing import MAX_PRICE, _decode
from inventory.models import Supplier

COLUMNS = ("name", "email", "phone", "lead_time_days", "min_order_value")
MAX_LEAD_DAYS = 365


@dataclass(frozen=True)
class SupplierImportSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


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
        raise ImportRejected(["the file is empty; the first row must name the columns"])
    if "name" not in header:
        raise ImportRejected(["row 1: missing column(s): name"])
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise ImportRejected([f"row 1: unknown column(s): {', '.join(unknown)}"])
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
            row_errors.append(f"name {name!r} is already on row {first_row[name]}")
        if row_errors:
            errors.extend(f"row {number}: {e}" for e in row_errors)
            continue
        first_row[name] = number
        rows[name] = values
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected(["the file has a header but no suppliers"])
    return rows


def _clean(cell: dict[str, str], *, extra: bool) -> tuple[str, dict, list[str]]:
    errors = ["more cells than columns"] if extra else []
    values: dict = {}
    name = " ".join(cell.get("name", "").split())
    if not name:
        errors.append("name: required")
    elif len(name) > 120:
        errors.append("name: longer than 120 characters")
    if email := cell.get("email", ""):
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"email: {email!r} is not an e-mail address")
        values["email"] = email
    if phone := cell.get("phone", ""):
        if len(phone) > 32:
            errors.append("phone: longer than 32 characters")
        values["phone"] = phone
    if lead := cell.get("lead_time_days", ""):
        if not lead.isdigit() or int(lead) > MAX_LEAD_DAYS:
            errors.append(
                f"lead_time_days: {lead!r} is not a whole number from 0 to "
                f"{MAX_LEAD_DAYS}"
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
            errors.append(f"min_order_value: {minimum!r} is not an amount like 300.00")
        else:
            values["min_order_value"] = amount.quantize(Decimal("0.01"))
    return name, values, errors
