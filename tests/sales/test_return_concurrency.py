"""Returns at the same moment, on PostgreSQL with real threads and
connections: the same line is never returned more than it was sold."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory.models import Product, StockMovement
from sales.exceptions import OverReturn
from sales.models import Return, SaleLine
from sales.returns import sale_return
from sales.services import sale_create
from tests.factories import ProductFactory, UserFactory
from tests.sales.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def returner(manager):
    return manager


def test_eight_returns_of_the_same_line_never_return_more_than_was_sold(returner):
    product = ProductFactory(price=Decimal("4.00"), stock=20, reorder_point=1)
    sale, _ = sale_create(clerk=UserFactory(), lines=[(product.sku, 5)])

    results = run_at_once(
        [
            lambda: sale_return(
                sale_id=sale.pk, user=returner, lines=[(product.sku, 2)], restock=True
            )
        ]
        * 8
    )

    done = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, OverReturn)]
    assert (len(done), len(refused)) == (2, 6), results
    assert {r.returnable for r in refused} == {1}
    line = SaleLine.objects.get(sale=sale)
    assert line.returned_quantity == 4
    assert Return.objects.aggregate(t=Sum("total"))["t"] == Decimal("16.00")
    product.refresh_from_db()
    assert product.stock == 20 - 5 + 4
    assert product.stock == product.movements.aggregate(s=Sum("delta"))["s"]
    assert StockMovement.objects.filter(reason="return").count() == 2


def test_returns_written_off_and_sales_of_the_same_products_never_deadlock(returner):
    products = [ProductFactory(stock=200, reorder_point=5) for _ in range(3)]
    skus = [p.sku for p in products]
    clerk = UserFactory()
    sales = [
        sale_create(clerk=clerk, lines=[(sku, 3) for sku in skus])[0] for _ in range(4)
    ]

    def give_back(sale, restock: bool):
        return lambda: sale_return(
            sale_id=sale.pk,
            user=returner,
            lines=[(sku, 1) for sku in reversed(skus)],
            restock=restock,
        )

    def sell():
        return sale_create(clerk=clerk, lines=[(sku, 1) for sku in reversed(skus)])

    results = run_at_once(
        [give_back(s, restock=i % 2 == 0) for i, s in enumerate(sales * 2)] + [sell] * 4
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    for product in Product.objects.filter(sku__in=skus):
        assert product.stock == product.movements.aggregate(s=Sum("delta"))["s"]
        # 4 sales of 3, 4 of 1; 8 returns of 1, half of them written off.
        assert product.stock == 200 - 12 - 4 + 4
