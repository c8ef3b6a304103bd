"""Services of the products that track expiry (docs/perishables.md): writing
lots off, dating an "expiry unknown" lot, switching tracking on and off. Each
locks the products through products_lock; stock changes only through
stock_moves."""

import datetime
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.exceptions import ExpiryInPast
from inventory.models import Lot, LotMovement, Product, StockMovement
from inventory.services import WRITE_CHUNK, products_lock, stock_moves
from pitstop.clock import store_today


def lot_write_off(
    *,
    lots: Mapping[int, int],
    reason: str,
    user: AbstractBaseUser | None = None,
) -> list[StockMovement]:
    """Write units of these lots ({lot id: units}) off as waste, one ledger
    row `waste` per lot (valued at the product's cost, kept on the row), the
    reason in its note. Locks the lots' products; more units than a lot holds
    is LotOverdrawn and nothing changes."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the units are written off."))
    if not lots or any(units < 1 for units in lots.values()):
        raise ValidationError(_("Write off 1 unit or more of at least one lot."))
    with transaction.atomic():
        owners = dict(
            Lot.objects.filter(pk__in=list(lots)).values_list("pk", "product")
        )
        missing = set(lots) - set(owners)
        if missing:
            raise ValidationError(
                _("Unknown lot id(s): %(ids)s"), params={"ids": sorted(missing)}
            )
        products = products_lock(ids=owners.values())
        ordered = sorted(lots, key=lambda pk: (owners[pk], pk))
        return stock_moves(
            changes=[(products[owners[pk]], -lots[pk]) for pk in ordered],
            reason=StockMovement.Reason.WASTE,
            ref="write-off",
            note=reason[:255],
            user=user,
            lots=[[(pk, lots[pk])] for pk in ordered],
        )


def lot_date(
    *,
    lot_id: int,
    parts: Sequence[tuple[datetime.date, int]],
    allow_past_expiry: bool = False,
) -> list[Lot]:
    """Date the units of an "expiry unknown" lot: [(expiry date, units)] adding
    up to what it holds, each part a new lot (the units move between lots of
    one product: no ledger row, stock unchanged). Locks the lot's product."""
    if not parts or any(units < 1 for _day, units in parts):
        raise ValidationError(_("Give each expiry date 1 unit or more."))
    with transaction.atomic():
        owner = Lot.objects.filter(pk=lot_id).values_list("product", flat=True)
        product_id = owner.first()
        product = products_lock(ids=[product_id])[product_id] if product_id else None
        lot = Lot.objects.get(pk=lot_id) if product else None
        if lot is None or lot.expires_on is not None:
            raise ValidationError(_("Only a lot whose expiry is unknown is dated."))
        if sum(units for _day, units in parts) != lot.units_left:
            raise ValidationError(
                _("The units dated must add up to the %(units)s the lot holds."),
                params={"units": lot.units_left},
            )
        today = store_today()
        for day, _units in parts:
            if day < today and not allow_past_expiry:
                raise ExpiryInPast(sku=product.sku, name=product.name, expiry=day)
        dated = Lot.objects.bulk_create(
            Lot(
                product=product,
                expires_on=day,
                units_received=units,
                units_left=units,
                ref=lot.ref,
            )
            for day, units in parts
        )
        LotMovement.objects.bulk_create(
            [LotMovement(lot=lot, units=-lot.units_left)]
            + [LotMovement(lot=new, units=new.units_left) for new in dated]
        )
        lot.units_left = 0
        lot.save(update_fields=["units_left"])
        return dated


def product_tracking_set(*, product_id: int, tracks: bool) -> Product:
    """Switch a product's expiry tracking. On: its stock goes into one
    "expiry unknown" lot, not sellable until a manager dates it (lot_date).
    Off: its lots are emptied (they no longer hold its stock). Locks the
    product; no ledger row, the stock does not change."""
    with transaction.atomic():
        product = products_lock(ids=[product_id])[product_id]
        lots_track(products=[product], tracks=tracks)
        return product


def lots_track(*, products: Sequence[Product], tracks: bool) -> None:
    """product_tracking_set for products whose row locks the caller holds
    (the import's); sets and writes their tracks_expiry."""
    switched = [p for p in products if p.tracks_expiry != tracks]
    if not switched:
        return
    ids = [p.pk for p in switched]
    if tracks:
        opened = Lot.objects.bulk_create(
            (
                Lot(
                    product=p,
                    expires_on=None,
                    units_received=p.stock,
                    units_left=p.stock,
                    ref=gettext("tracking switched on"),
                )
                for p in switched
                if p.stock
            ),
            batch_size=WRITE_CHUNK,
        )
        LotMovement.objects.bulk_create(
            (LotMovement(lot=lot, units=lot.units_left) for lot in opened),
            batch_size=WRITE_CHUNK,
        )
    else:
        held = Lot.objects.filter(product_id__in=ids, units_left__gt=0)
        LotMovement.objects.bulk_create(
            (LotMovement(lot=lot, units=-lot.units_left) for lot in held),
            batch_size=WRITE_CHUNK,
        )
        held.update(units_left=0)
    for product in switched:
        product.tracks_expiry = tracks
    Product.objects.filter(pk__in=ids).update(tracks_expiry=tracks)
