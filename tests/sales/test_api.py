import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.models import Product, StockMovement
from sales.models import Sale
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(clerk):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}"
    )
    return client


@pytest.fixture
def cola():
    return ProductFactory(
        sku="DRK-001", name="Cola", price="5.50", stock=5, reorder_point=4
    )


def state():
    return (
        list(Product.objects.values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
    )


def test_a_kiosk_looks_up_a_product(kiosk, cola):
    response = kiosk.get("/api/products/DRK-001/")

    assert response.status_code == 200
    assert response.json() == {
        "sku": "DRK-001",
        "name": "Cola",
        "price": "5.50",
        "stock": 5,
        "reorder_point": 4,
        "low_stock": False,
        "on_order": 0,
        "velocity": "0.00",
        "days_of_cover": None,
        "suggested_qty": 0,
        "tracks_expiry": False,
        "sellable": None,
        "expires_next": None,
    }


def test_an_unknown_or_inactive_product_is_not_found(kiosk):
    ProductFactory(sku="OFF", is_active=False)

    for sku in ("NOPE", "OFF"):
        response = kiosk.get(f"/api/products/{sku}/")
        assert response.status_code == 404
        assert "error" in response.json()


def test_a_kiosk_sells_and_gets_the_sale_back(kiosk, cola):
    chips = ProductFactory(sku="CHP-001", price="11.90", stock=3)

    response = kiosk.post(
        "/api/sales/",
        {"lines": [{"sku": "DRK-001", "qty": 2}, {"sku": "CHP-001", "qty": 1}]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["total"] == "22.90"
    assert body["channel"] == "kiosk"
    assert [
        (line["sku"], line["qty"], line["unit_price"]) for line in body["lines"]
    ] == [
        ("DRK-001", 2, "5.50"),
        ("CHP-001", 1, "11.90"),
    ]
    cola.refresh_from_db()
    chips.refresh_from_db()
    assert (cola.stock, chips.stock) == (3, 2)


def test_the_same_idempotency_key_again_returns_the_sale_without_a_second_decrement(
    kiosk, cola
):
    payload = {"lines": [{"sku": "DRK-001", "qty": 2}], "idempotency_key": "k-42"}

    first = kiosk.post("/api/sales/", payload, format="json")
    again = kiosk.post("/api/sales/", payload, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    cola.refresh_from_db()
    assert cola.stock == 3


def test_not_enough_stock_is_a_409_naming_the_product_and_nothing_is_sold(kiosk, cola):
    before = state()

    response = kiosk.post(
        "/api/sales/",
        {"lines": [{"sku": "DRK-001", "qty": 6}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": "insufficient_stock",
        "sku": "DRK-001",
        "available": 5,
        "wanted": 6,
        "message": "Not enough stock of Cola (DRK-001): 5 available, 6 wanted.",
    }
    assert state() == before


LINE = {"sku": "DRK-001", "qty": 1}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"error": "invalid", "field": "lines"}),
        ({"lines": []}, {"error": "invalid", "field": "lines"}),
        ({"lines": "DRK-001"}, {"error": "invalid", "field": "lines"}),
        ({"lines": [1]}, {"error": "invalid", "field": "lines.0"}),
        ({"lines": [{"sku": "DRK-001"}]}, {"error": "invalid", "field": "lines.0.qty"}),
        ({"lines": [LINE, {"sku": "DRK-001", "qty": 0}]}, {"field": "lines.1.qty"}),
        ({"lines": [{"sku": "DRK-001", "qty": 2.5}]}, {"field": "lines.0.qty"}),
        ({"lines": [{"sku": "DRK-001", "qty": "2"}]}, {"field": "lines.0.qty"}),
        ({"lines": [{"sku": "DRK-001", "qty": True}]}, {"field": "lines.0.qty"}),
        ({"lines": [{"sku": "DRK-001", "qty": 1000}]}, {"field": "lines.0.qty"}),
        ({"lines": [{"qty": 1}]}, {"error": "invalid", "field": "lines.0.sku"}),
        ({"lines": [{"sku": 7, "qty": 1}]}, {"field": "lines.0.sku"}),
        ({"lines": [{"sku": "  ", "qty": 1}]}, {"field": "lines.0.sku"}),
        ({"lines": [{"sku": "DRK\x00", "qty": 1}]}, {"field": "lines.0.sku"}),
        ({"lines": [{"sku": "\ud800", "qty": 1}]}, {"field": "lines.0.sku"}),
        ({"lines": [LINE] * 101}, {"error": "invalid", "field": "lines"}),
        ({"lines": [LINE], "idempotency_key": 7}, {"field": "idempotency_key"}),
        ({"lines": [LINE], "idempotency_key": 0}, {"field": "idempotency_key"}),
        ({"lines": [LINE], "idempotency_key": False}, {"field": "idempotency_key"}),
        ({"lines": [LINE], "idempotency_key": "k\x00"}, {"field": "idempotency_key"}),
        ({"lines": [LINE], "idempotency_key": "\udfff"}, {"field": "idempotency_key"}),
        ({"lines": [LINE], "idempotency_key": "k" * 65}, {"field": "idempotency_key"}),
        ([1, 2], {"error": "invalid", "field": ""}),
        # Valid JSON for the schema, refused by the service:
        (
            {"lines": [{"sku": "NOPE", "qty": 1}]},
            {"error": "unknown_product", "sku": "NOPE"},
        ),
        (
            {"lines": [{"sku": "DRK-001", "qty": 999}, LINE]},
            {"error": "invalid", "sku": "DRK-001"},
        ),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong_and_changes_nothing(
    kiosk, cola, body, expected
):
    before = state()

    response = kiosk.post(
        "/api/sales/",
        json.dumps(body),  # NUL as \u0000, a lone surrogate as \ud800
        content_type="application/json",
    )

    assert response.status_code == 400
    answer = response.json()
    assert {key: answer.get(key) for key in expected} == expected
    assert answer["error"] in ("invalid", "unknown_product")
    assert isinstance(answer["message"], str) and answer["message"]
    assert state() == before


def test_malformed_json_is_a_400_with_an_error(kiosk, cola):
    response = kiosk.post(
        "/api/sales/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
    assert "JSON" in response.json()["message"]


def test_without_credentials_the_api_says_401(cola):
    client = APIClient()

    assert client.get("/api/products/DRK-001/").status_code == 401
    response = client.post("/api/sales/", {"lines": []}, format="json")
    assert response.status_code == 401


def test_a_user_without_the_clerk_role_gets_403(cola):
    client = APIClient()
    client.force_authenticate(UserFactory())

    assert client.get("/api/products/DRK-001/").status_code == 403
    post = client.post("/api/sales/", {"lines": [{"sku": "DRK-001", "qty": 1}]})
    assert post.status_code == 403


def test_a_logged_in_session_can_sell_too(clerk_client, cola):
    response = clerk_client.post(
        "/api/sales/",
        json.dumps({"lines": [{"sku": "DRK-001", "qty": 1}]}),
        content_type="application/json",
    )

    assert response.status_code == 201


def test_drf_create_token_makes_a_token_the_api_accepts(clerk, cola, capsys):
    call_command("drf_create_token", "clerk")
    key = capsys.readouterr().out.split()[2]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/products/DRK-001/").status_code == 200


def test_the_openapi_schema_and_its_docs_are_served(clerk_client):
    assert b"/api/sales/" in clerk_client.get("/api/schema/").content
    assert clerk_client.get("/api/docs/").status_code == 200
