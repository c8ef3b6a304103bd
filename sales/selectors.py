import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from inventory.models import Product
from inventory.selectors import with_lots
from pitstop.clock import store_midnight
from sales.models import Sale


def product_by_code(code: str) -> Product | None:
    """The product on sale with this barcode or sku (what a scanner types); a
    barcode wins over another product's sku."""
    code = code.strip()
    if not code:
        return None
    # With `sellable` for a perishable product (inventory.selectors.with_lots).
    matches = with_lots(Product.objects.filter(is_active=True)).filter(
        Q(barcode=code) | Q(sku=code)
    )
    return min(matches, key=lambda p: p.barcode != code, default=None)


def store_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight of a store day, in the store's time zone."""
    return store_midnight(day), store_midnight(day + datetime.timedelta(days=1))


def sales_of_day(*, clerk: AbstractBaseUser, day: datetime.date) -> QuerySet[Sale]:
    start, end = store_day_bounds(day)
    return Sale.objects.filter(
        clerk=clerk, created_at__gte=start, created_at__lt=end
    ).prefetch_related("lines__product")
