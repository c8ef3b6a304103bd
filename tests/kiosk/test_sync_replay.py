"""A queued sale sent again by the kiosk's sync (the first answer was lost on
the way back) gets the sale it made, 200, whatever changed at the store since:
never a refusal that would put a sale made into the attendant's list."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import Product
from sales.models import Sale
from sales.services import sale_create
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
PIN = "2468"
BODY = {
    "lines": [{"sku": "DRK-001", "qty": 3, "price": "5.50"}],
    "idempotency_key": "kiosk-0123456789abcdef",
}


@pytest.fixture
def made(kiosk, settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN
    ProductFactory(sku="DRK-001", price=Decimal("5.50"), stock=5, age_restricted=True)
    answer = post(kiosk, BODY | {"attendant_pin": PIN})
    assert answer.status_code == 201
    return answer.json()


def post(user, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/sales/", body, format="json")


def sold_out() -> None:
    sale_create(clerk=UserFactory(), lines=[("DRK-001", 2)])


def repriced() -> None:
    Product.objects.filter(sku="DRK-001").update(price=Decimal("6.00"))


def withdrawn() -> None:
    Product.objects.filter(sku="DRK-001").update(is_active=False)


def pin_changed(settings) -> None:
    settings.PITSTOP_ATTENDANT_PIN = "1357"


@pytest.mark.parametrize("change", [sold_out, repriced, withdrawn, pin_changed])
def test_a_replayed_queued_sale_answers_its_sale_whatever_changed(
    kiosk, made, settings, change
):
    if change is pin_changed:
        change(settings)
    else:
        change()
    stock = Product.objects.get(sku="DRK-001").stock

    again = post(kiosk, BODY | {"attendant_pin": PIN})

    assert again.status_code == 200, again.json()
    assert again.json() == made
    assert Sale.objects.filter(idempotency_key=BODY["idempotency_key"]).count() == 1
    assert Product.objects.get(sku="DRK-001").stock == stock
