"""stock_moves writes what it computed from rows its caller locked; a product
read before another writer changed it is refused, and nothing changes."""

import pytest
from django.db import transaction

from inventory.models import Product, StockMovement
from inventory.services import stock_moves
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_stock_change_from_a_product_read_before_another_writer_is_refused():
    stale = ProductFactory(stock=10)
    Product.objects.filter(pk=stale.pk).update(stock=8)  # another writer
    moves = StockMovement.objects.count()

    with pytest.raises(RuntimeError, match="products_lock"), transaction.atomic():
        stock_moves(changes=[(stale, -3)], reason=StockMovement.Reason.SALE)

    assert Product.objects.get(pk=stale.pk).stock == 8
    assert StockMovement.objects.count() == moves
