"""A kiosk syncing the sales it queued offline while the counter sells the
same products, on PostgreSQL with real threads and connections: two copies of
the sync (two tabs, or a retry after a lost answer) post the same queue at
once; no sale is made twice, none is oversold, ledger = stock."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from inventory.exceptions import InsufficientStock
from inventory.models import Product
from sales.models import Sale, SaleLine
from sales.services import sale_create
from tests.factories import ProductFactory, UserFactory
from tests.sales.test_concurrency import assert_ledger_agrees, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STOCK = 60


def queued_sales(skus: list[str], count: int) -> list[dict]:
    """What the page queued offline: lines at the prices it showed, a key each."""
    rng = random.Random(16)
    return [
        {
            "lines": [
                {"sku": sku, "qty": rng.randint(1, 3), "price": "2.50"}
                for sku in rng.sample(skus, rng.randint(1, 2))
            ],
            "idempotency_key": f"kiosk-offline-{n:04d}",
        }
        for n in range(count)
    ]


def test_syncing_twice_against_counter_sales_sells_each_queued_sale_once(kiosk):
    products = [ProductFactory(price=Decimal("2.50"), stock=STOCK) for _ in range(3)]
    skus = [p.sku for p in products]
    queue = queued_sales(skus, 40)
    clerks = [UserFactory() for _ in range(2)]

    def sync() -> list[tuple[str, int, int | None]]:
        # As offline.js does: in order, one at a time, on to the next sale
        # after a refusal.
        client = Client()
        client.force_login(kiosk)
        answers = []
        for body in queue:
            answer = client.post("/api/sales/", body, content_type="application/json")
            sale = answer.json().get("id") if answer.status_code < 300 else None
            answers.append((body["idempotency_key"], answer.status_code, sale))
        return answers

    def counter(clerk, seed: int) -> Counter:
        rng = random.Random(seed)
        outcome = Counter()
        for _ in range(40):
            try:
                sale_create(clerk=clerk, lines=[(rng.choice(skus), rng.randint(1, 3))])
                outcome["sold"] += 1
            except InsufficientStock:
                outcome["refused"] += 1
        return outcome

    results = run_at_once(
        [sync, sync] + [lambda c=c, i=i: counter(c, i) for i, c in enumerate(clerks)]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    first, second = results[0], results[1]
    assert len(first) == len(second) == len(queue)
    refused = sold = 0
    for (key, status_a, sale_a), (_, status_b, sale_b) in zip(
        first, second, strict=True
    ):
        made = list(
            Sale.objects.filter(idempotency_key=key).values_list("pk", flat=True)
        )
        if made:
            # Both copies were answered with the one sale: 201 and 200.
            assert sorted([status_a, status_b]) == [200, 201], key
            assert sale_a == sale_b == made[0]
            sold += 1
        else:
            assert (status_a, status_b) == (409, 409), key
            refused += 1
    assert sold and refused  # the race was real: stock ran out under the sync
    kiosk_sales = Sale.objects.filter(clerk=kiosk)
    assert kiosk_sales.count() == sold
    counter_sold = sum(r["sold"] for r in results[2:])
    assert Sale.objects.exclude(clerk=kiosk).count() == counter_sold
    for product in products:
        product.refresh_from_db()
        taken = SaleLine.objects.filter(product=product).aggregate(s=Sum("quantity"))
        assert product.stock == STOCK - (taken["s"] or 0) >= 0
        assert_ledger_agrees(product)
    assert Product.objects.filter(stock__lt=0).count() == 0
