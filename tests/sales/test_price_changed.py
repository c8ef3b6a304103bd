"""A sale line may carry the price the customer was shown (a kiosk that sold
offline sends it): if the product's price is another now, the whole sale is
refused 409 price_changed; without it, a sale is made as always."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import Product, StockMovement
from sales.models import Sale
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return [
        ProductFactory(sku="DRK-001", name="Cola", price=Decimal("5.50"), stock=10),
        ProductFactory(sku="SNK-002", name="Chips", price=Decimal("11.90"), stock=10),
    ]


def sell(user, lines, **extra):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/sales/", {"lines": lines} | extra, format="json")


def test_a_line_at_the_price_the_product_has_sells(kiosk, shelf, in_english):
    answer = sell(
        kiosk,
        [
            {"sku": "DRK-001", "qty": 2, "price": "5.50"},
            {"sku": "SNK-002", "qty": 1, "price": "11.9"},
        ],
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["total"] == "22.90"


def test_a_line_whose_price_changed_refuses_the_whole_sale(kiosk, shelf, in_english):
    Product.objects.filter(sku="SNK-002").update(price=Decimal("12.90"))

    answer = sell(
        kiosk,
        [
            {"sku": "DRK-001", "qty": 2, "price": "5.50"},
            {"sku": "SNK-002", "qty": 1, "price": "11.90"},
        ],
        idempotency_key="kiosk-offline-1",
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "error": "price_changed",
        "sku": "SNK-002",
        "price": "12.90",
        "seen": "11.90",
        "message": "The price of Chips is now R$ 12.90; the kiosk showed R$ 11.90.",
    }
    assert not Sale.objects.exists()
    assert not StockMovement.objects.filter(reason="sale").exists()
    assert set(Product.objects.values_list("stock", flat=True)) == {10}


def test_lines_without_a_price_sell_at_today_s_price_as_before(kiosk, shelf):
    Product.objects.filter(sku="SNK-002").update(price=Decimal("12.90"))

    answer = sell(kiosk, [{"sku": "SNK-002", "qty": 1}])

    assert answer.status_code == 201
    assert answer.json()["total"] == "12.90"


def test_a_key_replayed_after_a_price_change_answers_the_sale_it_made(kiosk, shelf):
    lines = [{"sku": "DRK-001", "qty": 2, "price": "5.50"}]
    first = sell(kiosk, lines, idempotency_key="kiosk-offline-2")
    Product.objects.filter(sku="DRK-001").update(price=Decimal("6.00"))

    again = sell(kiosk, lines, idempotency_key="kiosk-offline-2")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Sale.objects.count() == 1
    assert Product.objects.get(sku="DRK-001").stock == 8


@pytest.mark.parametrize("price", ["5,50", "-5.50", "5.505", "1e3", " ", 5.5, None])
def test_a_price_that_is_not_a_decimal_string_is_a_400(kiosk, shelf, price):
    answer = sell(kiosk, [{"sku": "DRK-001", "qty": 1, "price": price}])

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"
    assert answer.json()["field"].startswith("lines")
    assert not Sale.objects.exists()


def test_two_lines_of_one_product_at_two_prices_are_a_400(kiosk, shelf, in_english):
    answer = sell(
        kiosk,
        [
            {"sku": "DRK-001", "qty": 1, "price": "5.50"},
            {"sku": "DRK-001", "qty": 1, "price": "5.00"},
        ],
    )

    assert answer.status_code == 400
    assert answer.json()["message"] == "Two lines of DRK-001 carry different prices."
    assert not Sale.objects.exists()
