"""The bench's users, tokens and products, made once through the ORM and the
services; stock always changes through the ledger (stock_count)."""

import csv
import io
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from inventory.models import Product
from inventory.services import stock_count
from pitstop.roles import CLERKS, MANAGERS

SALE_PREFIX = "BS-"
HOT_SKU = "BS-HOT"
FILLER_PREFIX = "CAT-"
IMPORT_PREFIX = "IMP-"
# Far above what a run sells, so no sale crosses a reorder point (10) except
# on the hot product, which crosses once per hot run (one queued task).
SALE_STOCK = 100_000
REORDER_POINT = 10
WORDS = [
    "Cola", "Orange juice", "Water", "Chips", "Chocolate", "Coffee", "Gum",
    "Sandwich", "Energy drink", "Cookies", "Peanuts", "Ice tea", "Motor oil",
    "Windscreen wash", "Batteries", "Charger", "Sunglasses", "Candy", "Yogurt",
    "Cheese bread",
]  # fmt: skip
SIZES = ["small", "350ml", "500ml", "1l", "2l", "family"]
IMPORT_COLUMNS = [
    "sku", "name", "price", "stock", "reorder_point", "barcode", "category",
    "cost", "par_level", "supplier",
]  # fmt: skip


@dataclass(frozen=True)
class Item:
    pk: int
    sku: str


@dataclass(frozen=True)
class Clerk:
    user_id: int
    token: str


def clerks_ensure(count: int) -> list[Clerk]:
    """One kiosk user (group Clerks) with its API token per client."""
    group = Group.objects.get(name=CLERKS)
    clerks = []
    for i in range(count):
        user, _ = User.objects.get_or_create(username=f"bench-clerk-{i:02d}")
        user.groups.add(group)
        token, _ = Token.objects.get_or_create(user=user)
        clerks.append(Clerk(user.pk, token.key))
    return clerks


def clerk_with_password(password: str) -> User:
    """A counter clerk (group Clerks) who logs in to the clerk's form."""
    user, _ = User.objects.get_or_create(username="bench-counter-clerk")
    user.groups.add(Group.objects.get(name=CLERKS))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def manager_ensure() -> User:
    user, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=MANAGERS))
    return user


def price_of(i: int) -> Decimal:
    return Decimal(f"{1 + i % 40}.{(i * 37) % 100:02d}")


def sale_products_ensure(count: int) -> tuple[list[Item], Item]:
    """count products to sell plus the hot one, created with no stock (the
    restock books it through the ledger)."""
    skus = [f"{SALE_PREFIX}{i:05d}" for i in range(1, count + 1)] + [HOT_SKU]
    have = set(
        Product.objects.filter(sku__startswith=SALE_PREFIX).values_list(
            "sku", flat=True
        )
    )
    Product.objects.bulk_create(
        Product(
            sku=sku,
            name=f"Bench item {sku}",
            price=price_of(i),
            cost=(price_of(i) * Decimal("0.6")).quantize(Decimal("0.01")),
            stock=0,
            reorder_point=REORDER_POINT,
            par_level=REORDER_POINT * 5,
        )
        for i, sku in enumerate(skus)
        if sku not in have
    )
    rows = Product.objects.filter(sku__in=skus).order_by("pk").values_list("pk", "sku")
    items = {sku: Item(pk, sku) for pk, sku in rows}
    return [items[sku] for sku in skus[:-1]], items[HOT_SKU]


def stock_set(levels: dict[int, int]) -> int:
    """Set stock exactly through the stocktake service (ledger rows, alerts
    closed on the way up); returns how many products changed."""
    current = dict(Product.objects.filter(pk__in=levels).values_list("pk", "stock"))
    counts = {pk: level for pk, level in levels.items() if current[pk] != level}
    if counts:
        stock_count(counts=counts, note="bench restock")
    return len(counts)


def restock_if_low(items: list[Item], *, level: int = SALE_STOCK) -> int:
    """Back to `level` once any product fell below half of it."""
    pks = [item.pk for item in items]
    lowest = min(Product.objects.filter(pk__in=pks).values_list("stock", flat=True))
    if lowest >= level // 2:
        return 0
    return stock_set(dict.fromkeys(pks, level))


def catalogue_csv(prefix: str, count: int, *, update: bool = False) -> bytes:
    """A product file in the import's contract: a tenth of the products at or
    below their reorder point. The update variant changes every price and
    stock without moving any product across its reorder point."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    for i in range(1, count + 1):
        reorder_point = 5 + i % 16
        low = i % 10 == 0
        stock = reorder_point // 2 if low else 50 + i % 150
        if update:
            stock += -1 if low else 1
        price = price_of(i) + (Decimal("0.10") if update else 0)
        writer.writerow(
            [
                f"{prefix}{i:06d}",
                f"{WORDS[i % len(WORDS)]} {SIZES[i % len(SIZES)]} #{i}",
                price,
                stock,
                reorder_point,
                f"{zlib.crc32(prefix.encode()) % 900 + 100}{i:010d}",
                f"Category {i % 20:02d}",
                (price * Decimal("0.6")).quantize(Decimal("0.01")),
                reorder_point * 3,
                f"Supplier {i % 10:02d}",
            ]
        )
    return out.getvalue().encode()
