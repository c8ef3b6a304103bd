"""Selling perishables: the kiosk API and the clerk's form refuse expired or
undated units in plain words; the product answer says what can be sold."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.models import Product, StockMovement
from inventory.perishables import product_tracking_set
from sales.models import Sale
from tests.factories import ProductFactory
from tests.inventory.lots import day, lots_left, perishable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def kiosk(clerk):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}"
    )
    return client


def state():
    return (
        list(Product.objects.order_by("pk").values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
    )


def test_the_product_answer_says_how_many_can_be_sold_and_when_the_next_expire(
    kiosk,
):
    perishable((4, -1), (2, 3), (5, 6), sku="MLK-001")

    body = kiosk.get("/api/products/MLK-001/").json()

    assert (body["stock"], body["tracks_expiry"]) == (11, True)
    assert (body["sellable"], body["expires_next"]) == (7, day(3).isoformat())


def test_a_perishable_with_nothing_in_date_has_no_next_expiry(kiosk):
    perishable((4, -1), sku="MLK-001")

    body = kiosk.get("/api/products/MLK-001/").json()

    assert (body["sellable"], body["expires_next"]) == (0, None)


def test_a_kiosk_sale_needing_expired_units_is_a_409_expired_and_sells_nothing(
    kiosk,
):
    water = ProductFactory(sku="WAT-001", stock=5)
    perishable((4, -1), (1, 2), sku="SAN-001", name="Ham sandwich")
    before = state()

    response = kiosk.post(
        "/api/sales/",
        {"lines": [{"sku": water.sku, "qty": 1}, {"sku": "SAN-001", "qty": 2}]},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert {k: body[k] for k in ("error", "sku", "available")} == {
        "error": "expired",
        "sku": "SAN-001",
        "available": 1,
    }
    assert "past their expiry date" in body["message"]
    assert state() == before


def test_a_kiosk_sale_within_the_units_in_date_is_sold_from_the_first_to_expire(
    kiosk,
):
    milk = perishable((4, -1), (3, 5), (3, 2), sku="MLK-001")

    response = kiosk.post(
        "/api/sales/", {"lines": [{"sku": "MLK-001", "qty": 4}]}, format="json"
    )

    assert response.status_code == 201
    assert lots_left(milk) == [(day(-1), 4), (day(2), 0), (day(5), 2)]


def test_the_clerk_is_told_in_plain_words_that_the_rest_is_expired(
    clerk_client,
):
    perishable((4, -1), (1, 2), sku="SAN-001", name="Ham sandwich")

    response = clerk_client.post(
        reverse("sales:new"), {"action": "scan", "code": "SAN-001", "quantity": 2}
    )

    errors = " ".join(e for es in response.context["form"].errors.values() for e in es)
    assert errors == (
        "Ham sandwich (SAN-001): only 1 can be sold. The other units are past "
        "their expiry date (or not dated): take them off the shelf and tell the "
        "manager."
    )


def test_the_clerk_cannot_sell_units_of_an_undated_lot(clerk_client):
    cheese = ProductFactory(sku="CHS-001", name="Cheese", stock=3)
    product_tracking_set(product_id=cheese.pk, tracks=True)

    response = clerk_client.post(
        reverse("sales:new"), {"action": "scan", "code": "CHS-001", "quantity": 1}
    )

    assert "only 0 can be sold" in str(response.context["form"].errors)
