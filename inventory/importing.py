"""Product files: import (upsert by sku, all-or-nothing) and the matching export.

The columns are the contract in DESIGN.md. A blank optional cell means "not
given": an existing product keeps its value, a new one gets the default.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from inventory.exceptions import ImportRejected
from inventory.models import Category, Product, StockMovement, Supplier
from inventory.perishables import lots_track
from inventory.services import products_lock, products_write, stock_moves
from pitstop import csvsafe

REQUIRED_COLUMNS = ("sku", "name", "price", "stock", "reorder_point")
OPTIONAL_COLUMNS = ("barcode", "category", "cost", "par_level", "supplier")
OPTIONAL_COLUMNS += ("age_restricted", "attendant_only")  # yes/no
OPTIONAL_COLUMNS += ("pack_size",)
OPTIONAL_COLUMNS += ("tracks_expiry",)  # yes/no
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_PRICE = Decimal("99999999.99")
LOOKUP_CHUNK = 5000


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    stock_changes: int

    def __str__(self) -> str:
        return gettext(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(stock_changes)s stock change(s)"
        ) % vars(self)


@dataclass
class _Row:
    number: int
    sku: str
    name: str
    price: Decimal
    stock: int
    reorder_point: int
    barcode: str | None
    category: str | None
    cost: Decimal | None
    par_level: int | None
    supplier: str | None
    age_restricted: bool | None
    attendant_only: bool | None
    pack_size: int | None
    tracks_expiry: bool | None


def products_import(
    *, data: bytes, source: str = "", user: AbstractBaseUser | None = None
) -> ImportSummary:
    """Upsert products from CSV bytes. Validates the whole file first; then, in
    one transaction, locks the existing products and books every stock
    difference as an `import` movement. Raises ImportRejected, writing nothing."""
    rows = _parse(data)
    with transaction.atomic():
        existing = _existing_by_sku(row.sku for row in rows)
        _check_against_catalogue(rows, existing)
        return _apply(rows, existing, ref=f"import {source}".strip()[:64], user=user)


def products_export(products: Iterable[Product]) -> Iterator[list]:
    """Rows of a file that products_import reads back unchanged, header first;
    numbers as numbers, for csvsafe.writer."""
    yield list(COLUMNS)
    for p in products:
        yield [
            p.sku,
            p.name,
            p.price,
            p.stock,
            p.reorder_point,
            p.barcode,
            p.category.name if p.category else "",
            p.cost,
            p.par_level,
            p.supplier.name if p.supplier else "",
            "yes" if p.age_restricted else "no",
            "yes" if p.attendant_only else "no",
            str(p.pack_size),
            "yes" if p.tracks_expiry else "no",
        ]


# ------------------------------------------------------------------------------
# Reading and checking the file: no database writes
# ------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        bad = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(number)
        error = gettext("not UTF-8 text (save the file as CSV UTF-8)")
        raise ImportRejected([_at_row(n, error) for n in bad]) from None


def _parse(data: bytes) -> list[_Row]:
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportRejected(
            [gettext("the file is empty; the first row must name the columns")]
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        error = gettext("missing column(s): %(columns)s") % {
            "columns": ", ".join(missing)
        }
        raise ImportRejected([_at_row(1, error)])
    reader.fieldnames = header

    rows: list[_Row] = []
    errors: list[str] = []
    first_row_of_sku: dict[str, int] = {}
    first_row_of_barcode: dict[str, int] = {}
    for raw in reader:
        number = reader.line_num
        if not any((v or "").strip() for k, v in raw.items() if k is not None):
            continue
        row, row_errors = _clean(raw, number)
        if row and row.sku in first_row_of_sku:
            row_errors.append(
                gettext("sku %(sku)r is already on row %(row)s")
                % {"sku": row.sku, "row": first_row_of_sku[row.sku]}
            )
        if row and row.barcode and row.barcode in first_row_of_barcode:
            row_errors.append(
                gettext("barcode %(barcode)r is already on row %(row)s")
                % {"barcode": row.barcode, "row": first_row_of_barcode[row.barcode]}
            )
        if row_errors:
            errors.extend(_at_row(number, e) for e in row_errors)
            continue
        first_row_of_sku[row.sku] = number
        if row.barcode:
            first_row_of_barcode[row.barcode] = number
        rows.append(row)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([gettext("the file has a header but no products")])
    return rows


def _clean(raw: dict, number: int) -> tuple[_Row | None, list[str]]:
    errors: list[str] = []
    if raw.get(None):
        errors.append(gettext("more cells than columns"))
    # Unescaped: a name the export wrote as '=… reads back as =….
    cell = {
        k: csvsafe.unescape((v or "").strip()) for k, v in raw.items() if k is not None
    }

    def text(name: str, max_length: int, required: bool) -> str | None:
        value = cell.get(name, "")
        if not value:
            if required:
                errors.append(gettext("%(column)s: required") % {"column": name})
            return None
        if len(value) > max_length:
            errors.append(
                gettext("%(column)s: longer than %(max)s characters")
                % {"column": name, "max": max_length}
            )
        return value

    def whole(name: str, required: bool) -> int | None:
        value = cell.get(name, "")
        if not value:
            if required:
                errors.append(gettext("%(column)s: required") % {"column": name})
            return None
        if not value.isdigit():
            errors.append(
                gettext("%(column)s: %(value)r is not a whole number of 0 or more")
                % {"column": name, "value": value}
            )
            return None
        return int(value)

    def yes_no(name: str) -> bool | None:
        value = cell.get(name, "").lower()
        if not value:
            return None
        if value not in ("yes", "no"):
            errors.append(
                gettext("%(column)s: %(value)r is not yes or no")
                % {"column": name, "value": cell[name]}
            )
            return None
        return value == "yes"

    def money(name: str, required: bool) -> Decimal | None:
        value = cell.get(name, "")
        if not value:
            if required:
                errors.append(gettext("%(column)s: required") % {"column": name})
            return None
        given = {"column": name, "value": value}
        try:
            amount = Decimal(value)
        except InvalidOperation:
            errors.append(
                gettext("%(column)s: %(value)r is not an amount like 12.50") % given
            )
            return None
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
            errors.append(
                gettext("%(column)s: %(value)r must be between 0 and %(max)s")
                % (given | {"max": MAX_PRICE})
            )
            return None
        if amount.as_tuple().exponent < -2:
            errors.append(
                gettext("%(column)s: %(value)r has more than 2 decimal places") % given
            )
            return None
        return amount.quantize(Decimal("0.01"))

    row = _Row(
        number=number,
        sku=text("sku", 32, required=True),
        name=text("name", 120, required=True),
        price=money("price", required=True),
        stock=whole("stock", required=True),
        reorder_point=whole("reorder_point", required=True),
        barcode=text("barcode", 32, required=False),
        category=text("category", 80, required=False),
        cost=money("cost", required=False),
        par_level=whole("par_level", required=False),
        supplier=text("supplier", 120, required=False),
        age_restricted=yes_no("age_restricted"),
        attendant_only=yes_no("attendant_only"),
        pack_size=whole("pack_size", required=False),
        tracks_expiry=yes_no("tracks_expiry"),
    )
    if row.pack_size == 0:
        errors.append(gettext("pack_size: must be 1 or more (units per case)"))
    if (
        row.par_level is not None
        and row.reorder_point is not None
        and row.par_level < row.reorder_point
    ):
        errors.append(
            gettext("par_level: %(par)s is below reorder_point %(reorder)s")
            % {"par": row.par_level, "reorder": row.reorder_point}
        )
    return (None if errors else row), errors


def _existing_by_sku(skus: Iterable[str]) -> dict[str, Product]:
    skus = list(skus)
    ids: list[int] = []
    for start in range(0, len(skus), LOOKUP_CHUNK):
        chunk = skus[start : start + LOOKUP_CHUNK]
        ids.extend(Product.objects.filter(sku__in=chunk).values_list("pk", flat=True))
    return {p.sku: p for p in products_lock(ids=ids).values()}


def _check_against_catalogue(rows: list[_Row], existing: dict[str, Product]) -> None:
    errors: list[tuple[int, str]] = []
    barcodes = {row.barcode: row for row in rows if row.barcode}
    owners: dict[str, str] = {}
    codes = list(barcodes)
    for start in range(0, len(codes), LOOKUP_CHUNK):
        owners.update(
            Product.objects.filter(barcode__in=codes[start : start + LOOKUP_CHUNK])
            .values_list("barcode", "sku")
            .iterator()
        )
    for code, row in barcodes.items():
        if owners.get(code, row.sku) != row.sku:
            error = gettext("barcode %(barcode)r belongs to %(sku)s") % {
                "barcode": code,
                "sku": owners[code],
            }
            errors.append((row.number, error))
    for row in rows:
        product = existing.get(row.sku)
        if product and row.par_level is None and product.par_level < row.reorder_point:
            error = gettext(
                "reorder_point %(reorder)s is above the current par_level "
                "%(par)s; add a par_level column"
            ) % {"reorder": row.reorder_point, "par": product.par_level}
            errors.append((row.number, error))
    if errors:
        errors.sort(key=lambda error: error[0])
        raise ImportRejected([_at_row(number, error) for number, error in errors])


def _at_row(number: int, error: str) -> str:
    """ "row 3: price: 'x' is not an amount like 12.50", in the active language."""
    return gettext("row %(number)s: %(error)s") % {"number": number, "error": error}


# ------------------------------------------------------------------------------
# Writing: inside the caller's transaction, products already locked
# ------------------------------------------------------------------------------


def _named(model: type[Category] | type[Supplier], names: set[str]) -> dict:
    found = {obj.name: obj for obj in model.objects.filter(name__in=names)}
    created = model.objects.bulk_create(
        [model(name=n) for n in sorted(names - set(found))]
    )
    found.update({obj.name: obj for obj in created})
    return found


def _apply(
    rows: list[_Row],
    existing: dict[str, Product],
    *,
    ref: str,
    user: AbstractBaseUser | None,
) -> ImportSummary:
    """Create the new products at zero, write the catalogue fields that
    changed, switch expiry tracking (inventory.perishables.lots_track: the
    stock of a product switched on goes into an "expiry unknown" lot), then
    every stock difference through stock_moves, the one stock writer (so a
    crossing opens or closes its alert as a sale's would, and a perishable's
    lots follow: docs/perishables.md)."""
    categories = _named(Category, {r.category for r in rows if r.category})
    suppliers = _named(Supplier, {r.supplier for r in rows if r.supplier})
    now = timezone.now()
    new: list[tuple[Product, int]] = []
    edited: list[Product] = []
    stock_changes: list[tuple[Product, int]] = []
    switched: dict[bool, list[Product]] = {True: [], False: []}
    updated = unchanged = 0

    for row in rows:
        values = {
            "name": row.name,
            "price": row.price,
            "reorder_point": row.reorder_point,
        }
        optional = {
            "par_level": row.par_level,
            "barcode": row.barcode,
            "cost": row.cost,
            # Ids, not objects: comparing product.category would load each one.
            "category_id": categories[row.category].pk if row.category else None,
            "supplier_id": suppliers[row.supplier].pk if row.supplier else None,
            "age_restricted": row.age_restricted,
            "attendant_only": row.attendant_only,
            "pack_size": row.pack_size,
        }
        values.update({k: v for k, v in optional.items() if v is not None})
        product = existing.get(row.sku)
        if product is None:
            values.setdefault("par_level", row.reorder_point * 2)
            # No stock yet: its lots come with the import's stock change.
            tracks = bool(row.tracks_expiry)
            new.append(
                (
                    Product(sku=row.sku, stock=0, tracks_expiry=tracks, **values),
                    row.stock,
                )
            )
            continue
        delta = row.stock - product.stock
        fields_changed = any(getattr(product, k) != v for k, v in values.items())
        switch = row.tracks_expiry not in (None, product.tracks_expiry)
        if switch:
            switched[row.tracks_expiry].append(product)
        if not delta and not fields_changed and not switch:
            unchanged += 1
            continue
        updated += 1
        if fields_changed:
            for k, v in values.items():
                setattr(product, k, v)
            product.updated_at = now
            edited.append(product)
        if delta:
            stock_changes.append((product, delta))

    Product.objects.bulk_create([product for product, _ in new], batch_size=1000)
    products_write(products=edited, fields=CATALOGUE_FIELDS)
    for tracks, products in switched.items():
        lots_track(products=products, tracks=tracks)
    stock_changes += [(product, stock) for product, stock in new if stock]
    stock_moves(
        changes=stock_changes, reason=StockMovement.Reason.IMPORT, ref=ref, user=user
    )
    return ImportSummary(
        created=len(new),
        updated=updated,
        unchanged=unchanged,
        stock_changes=len(stock_changes),
    )


CATALOGUE_FIELDS = ["name", "price", "reorder_point", "par_level", "barcode", "cost"]
CATALOGUE_FIELDS += ["category", "supplier", "pack_size", "updated_at"]
CATALOGUE_FIELDS += ["age_restricted", "attendant_only"]
