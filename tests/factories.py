import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from inventory.models import Category, Product, Supplier
from inventory.services import stock_receive
from pitstop.clock import store_today

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Category {n}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.LazyAttribute(lambda s: f"orders{s.name.split()[-1]}@example.com")


class ProductFactory(factory.django.DjangoModelFactory):
    """A product whose opening stock is booked as a receipt, as in the store."""

    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    supplier = factory.SubFactory(SupplierFactory)
    price = Decimal("5.00")
    cost = Decimal("2.50")
    stock = 10
    reorder_point = 3
    par_level = factory.LazyAttribute(lambda p: p.reorder_point * 2)

    @classmethod
    def _create(cls, model_class, *args, stock=0, expires_on=None, **kwargs):
        """A product that tracks expiry gets its opening stock in one lot,
        expiring on `expires_on` (default: in 30 days)."""
        product = super()._create(model_class, *args, **kwargs)
        if stock:
            if product.tracks_expiry and expires_on is None:
                expires_on = store_today() + datetime.timedelta(days=30)
            stock_receive(
                supplier=None,
                quantities={product.pk: stock},
                reference="opening",
                expires_on={product.pk: expires_on} if expires_on else None,
            )
            product.refresh_from_db()
        return product
