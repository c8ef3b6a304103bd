"""Lots of the products that track expiry (docs/perishables.md): which units a
stock change takes or gives, planned in Python under the product row locks
and written by inventory.services.stock_moves with the counter and the ledger.

The rules, per change of a tracked product:
- a sale takes from the sellable lots (dated, not expired in the store's
  time zone), first-expiring-first-out; short of them, ExpiredStock;
- units coming in with an expiry date make a new lot; a receipt must have
  one (ExpiryMissing), a date in the past only when allowed (ExpiryInPast);
- named lots ("picks": a write-off, a void or return giving units back to
  the lots the sale took) are taken from or given to exactly;
- any other decrease (stocktake, import) takes first-expiring-first-out over
  every lot, expired ones first and undated ones last; any other increase
  makes a new "expiry unknown" lot, not sellable until a manager dates it.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from inventory.exceptions import (
    ExpiredStock,
    ExpiryInPast,
    ExpiryMissing,
    InsufficientStock,
    LotOverdrawn,
)
from inventory.models import Lot, LotMovement, Product, StockMovement

Picks = Sequence[tuple[int, int]]  # (lot id, units), units 1 or more
CHUNK = 1000  # rows per statement


@dataclass
class LotState:
    """A lot as a plan sees it: read under the product lock, or new."""

    pk: int | None
    product_id: int
    expires_on: datetime.date | None
    units_left: int
    units_received: int

    def sellable_on(self, today: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on >= today


@dataclass
class LotPlan:
    """What a stock change does to lots: per change, the (lot, signed units)
    it takes or gives; the lots to create (pk None until written)."""

    moves: list[list[tuple[LotState, int]]]
    new: list[LotState]


def _fefo(lot: LotState) -> tuple:
    """First-expiring first, undated last; the older lot first on a tie."""
    return (lot.expires_on is None, lot.expires_on or datetime.date.max, lot.pk or 0)


def lots_read(*, product_ids: Iterable[int], named: Iterable[int] = ()) -> dict:
    """The lots with units of these products, and the named lots even if
    empty, by pk: one query. Caller holds the products' row locks."""
    named = list(named)
    query = Q(product_id__in=list(product_ids), units_left__gt=0)
    if named:
        query |= Q(pk__in=named)
    rows = (
        Lot.objects.filter(query)
        .order_by()
        .values_list("pk", "product_id", "expires_on", "units_left", "units_received")
    )
    return {row[0]: LotState(*row) for row in rows}


def lots_plan(
    *,
    changes: Sequence[tuple[Product, int]],
    reasons: Sequence[str],
    expires_on: Sequence[datetime.date | None],
    picks: Sequence[Picks | None],
    lots: Mapping[int, LotState],
    today: datetime.date,
    allow_past_expiry: bool,
) -> LotPlan:
    """Decide the lot moves of these changes (the module's rules) without
    writing anything; raise before any write if one cannot be made."""
    by_product: dict[int, list[LotState]] = {}
    for lot in lots.values():
        by_product.setdefault(lot.product_id, []).append(lot)
    plan = LotPlan(moves=[], new=[])
    for (product, delta), reason, expiry, named in zip(
        changes, reasons, expires_on, picks, strict=True
    ):
        if not product.tracks_expiry:
            if named:
                raise ValueError(f"{product.sku} does not track expiry: no lots.")
            plan.moves.append([])
            continue
        own = by_product.setdefault(product.pk, [])
        if named:
            moves = _picked(product, delta, named, lots)
        elif delta > 0:
            if expiry is None and reason == StockMovement.Reason.RECEIPT:
                raise ExpiryMissing(sku=product.sku, name=product.name)
            if expiry is not None and expiry < today and not allow_past_expiry:
                raise ExpiryInPast(sku=product.sku, name=product.name, expiry=expiry)
            lot = LotState(None, product.pk, expiry, 0, delta)
            plan.new.append(lot)
            own.append(lot)
            moves = [(lot, delta)]
        else:
            moves = _taken(product, -delta, reason, own, today)
        for lot, units in moves:
            lot.units_left += units
        plan.moves.append(moves)
    return plan


def _picked(
    product: Product, delta: int, named: Picks, lots: Mapping[int, LotState]
) -> list[tuple[LotState, int]]:
    if sum(units for _pk, units in named) != abs(delta) or any(
        units < 1 for _pk, units in named
    ):
        raise ValueError(f"The lots named for {product.sku} do not add up to {delta}.")
    moves = []
    for pk, units in named:
        lot = lots.get(pk)
        if lot is None or lot.product_id != product.pk:
            raise ValueError(f"Lot {pk} is not a lot of {product.sku}.")
        room = lot.units_left if delta < 0 else lot.units_received - lot.units_left
        if units > room:
            raise LotOverdrawn(
                sku=product.sku,
                expiry=lot.expires_on,
                available=room,
                wanted=units,
                giving=delta > 0,
            )
        moves.append((lot, units if delta > 0 else -units))
    return moves


def _taken(
    product: Product, wanted: int, reason: str, own: list[LotState], today
) -> list[tuple[LotState, int]]:
    """FEFO: a sale from the sellable lots only, anything else from all."""
    with_units = sorted((lot for lot in own if lot.units_left > 0), key=_fefo)
    if reason == StockMovement.Reason.SALE:
        source = [lot for lot in with_units if lot.sellable_on(today)]
    else:
        source = with_units
    held = sum(lot.units_left for lot in with_units)
    available = sum(lot.units_left for lot in source)
    if wanted > available:
        if available < held:
            raise ExpiredStock(
                sku=product.sku, name=product.name, available=available, wanted=wanted
            )
        raise InsufficientStock(
            sku=product.sku, name=product.name, available=available, wanted=wanted
        )
    moves = []
    for lot in source:
        units = min(lot.units_left, wanted)
        moves.append((lot, -units))
        wanted -= units
        if not wanted:
            break
    return moves


def lots_create(*, lots: Sequence[LotState], ref: str) -> None:
    """Write a plan's new lots (empty: their moves fill them) and set their pks."""
    created = Lot.objects.bulk_create(
        [
            Lot(
                product_id=lot.product_id,
                expires_on=lot.expires_on,
                units_received=lot.units_received,
                units_left=0,
                ref=ref[:64],
            )
            for lot in lots
        ],
        batch_size=CHUNK,
    )
    for lot, row in zip(lots, created, strict=True):
        lot.pk = row.pk


def lot_moves_rows(
    *, plan: LotPlan, movements: Sequence[StockMovement | None]
) -> list[tuple[int | None, int, int]]:
    """(movement id, lot id, units) of a plan whose lots and movements exist."""
    return [
        (movement.pk if movement else None, lot.pk, units)
        for movement, moves in zip(movements, plan.moves, strict=True)
        for lot, units in moves
    ]


def lot_moves_cte(rows: Sequence[tuple]) -> tuple[str, list] | None:
    """On PostgreSQL, for a few rows (a sale's), the lot moves as common table
    expressions to put before the products' UPDATE: the insert, and the lots'
    units left changed by what it inserted, in the products' statement (so a
    sale of a tracked product costs one query more, the lots' read). None
    when they must be written on their own (lot_moves_write)."""
    if not rows or connection.vendor != "postgresql" or len(rows) > CHUNK:
        return None
    table = connection.ops.quote_name(LotMovement._meta.db_table)
    lots = connection.ops.quote_name(Lot._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    sql = (
        f"lm AS (INSERT INTO {table} (movement_id, lot_id, units) VALUES {values} "
        "RETURNING lot_id, units), "
        f"lu AS (UPDATE {lots} SET units_left = {lots}.units_left + s.units "
        "FROM (SELECT lot_id, SUM(units) AS units FROM lm GROUP BY lot_id) s "
        f"WHERE {lots}.id = s.lot_id)"
    )
    return sql, [value for row in rows for value in row]


def lot_moves_write(rows: Sequence[tuple[int | None, int, int]]) -> None:
    """Insert the lot moves and change the lots' units left by them: one
    insert and one `UPDATE … FROM` per 1,000. Caller holds the row locks."""
    LotMovement.objects.bulk_create(
        [LotMovement(movement_id=m, lot_id=lot, units=n) for m, lot, n in rows],
        batch_size=CHUNK,
    )
    totals: dict[int, int] = {}
    for _movement, lot, units in rows:
        totals[lot] = totals.get(lot, 0) + units
    changed = [(lot, units) for lot, units in totals.items() if units]
    quote = connection.ops.quote_name
    table = quote(Lot._meta.db_table)
    cast = "CAST(%s AS integer)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start : start + CHUNK]
            values = ", ".join([f"({cast}, {cast})"] * len(chunk))
            cursor.execute(
                f"WITH v(id, units) AS (VALUES {values}) "
                f"UPDATE {table} SET units_left = {table}.units_left + v.units "
                f"FROM v WHERE {table}.id = v.id",
                [value for row in chunk for value in row],
            )


def lots_outstanding(
    *, taken: QuerySet[StockMovement], given_back: QuerySet[StockMovement] | None
) -> dict[int, list[tuple[int, int]]]:
    """Per product id, the lots that the `taken` ledger rows took units from
    and the `given_back` rows have not given back: [(lot id, units)],
    first-expiring first. One query. What a void or a return hands to
    stock_moves as its picks."""
    query = Q(movement__in=taken)
    if given_back is not None:
        query |= Q(movement__in=given_back)
    rows = (
        LotMovement.objects.filter(query)
        .values("lot_id", "lot__product_id", "lot__expires_on")
        .annotate(net=Sum("units"))
        .filter(net__lt=0)
        .order_by("lot__expires_on", "lot_id")
    )
    out: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        out.setdefault(row["lot__product_id"], []).append((row["lot_id"], -row["net"]))
    return out


def picks_first(picks: Sequence[tuple[int, int]], units: int) -> list[tuple[int, int]]:
    """The first `units` of these picks, in their order."""
    out = []
    for pk, held in picks:
        if units <= 0:
            break
        take = min(held, units)
        out.append((pk, take))
        units -= take
    return out
