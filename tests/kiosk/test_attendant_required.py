"""A kiosk (a Kiosks user) sells an age-restricted or attendant-only product
only with the attendant's PIN; the counter is not asked for one."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import Product, StockMovement
from sales.models import Sale
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
PIN = "2468"


@pytest.fixture(autouse=True)
def attendant_pin(settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN


@pytest.fixture
def shelf():
    return {
        "beer": ProductFactory(sku="BER-001", age_restricted=True, stock=10),
        "lighter": ProductFactory(sku="TOB-001", attendant_only=True, stock=10),
        "water": ProductFactory(sku="WAT-001", price=Decimal("3.00"), stock=10),
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sell(user, lines, **extra):
    body = {"lines": [{"sku": s, "qty": q} for s, q in lines]} | extra
    return api(user).post("/api/sales/", body, format="json")


@pytest.mark.parametrize("sku", ["BER-001", "TOB-001"])
def test_a_kiosk_sale_of_a_restricted_product_without_the_pin_sells_nothing(
    kiosk, shelf, sku
):
    answer = sell(kiosk, [("WAT-001", 1), (sku, 2)])

    assert answer.status_code == 409
    assert answer.json()["error"] == "attendant_required"
    assert answer.json()["sku"] == sku
    assert answer.json()["message"]
    assert not Sale.objects.exists()
    assert set(Product.objects.values_list("stock", flat=True)) == {10}
    assert not StockMovement.objects.filter(reason="sale").exists()


def test_a_wrong_pin_is_refused_like_no_pin(kiosk, shelf):
    answer = sell(kiosk, [("BER-001", 1)], attendant_pin="1357")

    assert answer.status_code == 409
    assert answer.json()["error"] == "attendant_required"
    assert not Sale.objects.exists()


def test_the_attendants_pin_unlocks_the_kiosk_sale(kiosk, shelf):
    answer = sell(kiosk, [("BER-001", 2), ("WAT-001", 1)], attendant_pin=PIN)

    assert answer.status_code == 201
    sale = Sale.objects.get()
    assert sale.channel == "kiosk"
    assert Product.objects.get(sku="BER-001").stock == 8


def test_without_a_store_pin_nothing_unlocks_a_kiosk_sale(kiosk, shelf, settings):
    settings.PITSTOP_ATTENDANT_PIN = ""

    answer = sell(kiosk, [("BER-001", 1)], attendant_pin="")

    assert answer.status_code == 409
    assert answer.json()["error"] == "attendant_required"


def test_a_kiosk_sells_unrestricted_products_without_a_pin(kiosk, shelf):
    assert sell(kiosk, [("WAT-001", 1)]).status_code == 201


def test_the_counter_sells_restricted_products_without_a_pin(clerk, shelf):
    assert sell(clerk, [("BER-001", 1), ("TOB-001", 1)]).status_code == 201
