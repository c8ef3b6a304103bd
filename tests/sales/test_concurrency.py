"""Clerks selling at the same moment, on PostgreSQL with real threads and
connections: no lost update, no oversell, no deadlock, ledger = counter."""

import random
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Sum

from inventory.exceptions import InsufficientStock
from inventory.models import LowStockAlert, Product
from sales.models import Sale, SaleLine
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(workers: list[Callable[[], object]]) -> list[object]:
    """Start every worker at the same instant, each on its own connection;
    return what each returned or raised."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(i: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = work()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung: deadlock?"
    return results


def assert_ledger_agrees(product: Product) -> None:
    product.refresh_from_db()
    assert product.stock >= 0
    assert product.stock == product.movements.aggregate(s=Sum("delta"))["s"]


def test_eight_clerks_buying_the_last_ten_units_sell_exactly_three_times():
    clerk = UserFactory()
    product = ProductFactory(stock=10)

    results = run_at_once(
        [lambda: sale_create(clerk=clerk, lines=[(product.sku, 3)])] * 8
    )

    sold = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(sold), len(refused)) == (3, 5), results
    # Refused only once three sales left 1: never while 3 or more were there.
    assert [(r.available, r.wanted) for r in refused] == [(1, 3)] * 5
    product.refresh_from_db()
    assert product.stock == 1
    assert_ledger_agrees(product)


def test_a_storm_of_sales_over_few_products_never_deadlocks_or_oversells():
    clerks = [UserFactory() for _ in range(16)]
    products = [ProductFactory(stock=500, reorder_point=100) for _ in range(5)]
    skus = [p.sku for p in products]

    def clerk_shift(clerk, seed: int) -> Counter:
        rng = random.Random(seed)
        outcome = Counter()
        for _ in range(50):
            lines = [
                (sku, rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 4))
            ]
            try:
                sale_create(clerk=clerk, lines=lines)
                outcome["sold"] += 1
            except InsufficientStock:
                outcome["refused"] += 1
        return outcome

    results = run_at_once(
        [lambda c=c, i=i: clerk_shift(c, i) for i, c in enumerate(clerks)]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sum(r["sold"] + r["refused"] for r in results) == 16 * 50
    assert Sale.objects.count() == sum(r["sold"] for r in results)
    for product in products:
        sold = SaleLine.objects.filter(product=product).aggregate(s=Sum("quantity"))[
            "s"
        ]
        product.refresh_from_db()
        assert product.stock == 500 - (sold or 0)
        assert_ledger_agrees(product)
        # Every product went from 500 through its reorder point at most once.
        assert LowStockAlert.objects.filter(product=product).count() == (
            1 if product.stock <= 100 else 0
        )


def test_the_same_idempotency_key_at_the_same_moment_sells_once():
    clerk = UserFactory()
    product = ProductFactory(stock=10)

    results = run_at_once(
        [
            lambda: sale_create(
                clerk=clerk, lines=[(product.sku, 3)], idempotency_key="kiosk-7-0001"
            )
        ]
        * 6
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({sale.pk for sale, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 5 + [True]
    product.refresh_from_db()
    assert product.stock == 7
    assert_ledger_agrees(product)


def test_two_managers_voiding_the_same_sale_at_once_put_the_stock_back_once(roles):
    from django.contrib.auth.models import Group

    clerk = UserFactory()
    managers = [UserFactory(is_staff=True) for _ in range(2)]
    for m in managers:
        m.groups.add(Group.objects.get(name="Managers"))
    product = ProductFactory(stock=10)
    sale, _ = sale_create(clerk=clerk, lines=[(product.sku, 4)])

    results = run_at_once(
        [
            lambda m=m: sale_void(sale_id=sale.pk, user=m, reason="wrong item")
            for m in managers
        ]
    )

    assert sum(isinstance(r, Sale) for r in results) == 1
    product.refresh_from_db()
    assert product.stock == 10
    assert_ledger_agrees(product)
