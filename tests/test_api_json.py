"""Every answer under /api/ is JSON, errors included (DESIGN.md)."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from inventory.models import Product, StockMovement
from sales.models import Sale
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(clerk):
    token = Token.objects.create(user=clerk).key
    return Client(HTTP_AUTHORIZATION=f"Token {token}", raise_request_exception=False)


@pytest.fixture
def cola():
    return ProductFactory(sku="DRK-001", name="Cola", stock=5, reorder_point=1)


def state():
    return (
        list(Product.objects.values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
    )


def post(client, body: bytes | str, content_type="application/json"):
    return client.post("/api/sales/", body, content_type=content_type)


def assert_json_error(response, status: int, error: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_json_nested_100000_levels_deep_is_a_400(kiosk, cola):
    before = state()

    response = post(kiosk, "[" * 100_000 + "]" * 100_000)

    assert_json_error(response, 400, "parse_error")
    assert state() == before


def test_a_body_over_1_mb_is_a_413_and_sells_nothing(kiosk, cola):
    before = state()
    line = '{"sku": "DRK-001", "qty": 1},'
    body = '{"lines": [' + line * (5 * 1024 * 1024 // len(line)) + "]}"

    assert_json_error(post(kiosk, body), 413, "too_large")
    assert state() == before


def test_a_body_just_under_1_mb_is_read(kiosk, cola):
    body = '{"lines": [{"sku": "DRK-001", "qty": 1}], "pad": "' + "x" * 1_000_000
    response = post(kiosk, body + '"}')

    assert response.status_code == 201


def test_a_form_body_is_refused_as_json_415(kiosk, cola):
    response = post(kiosk, "lines=DRK-001", "application/x-www-form-urlencoded")

    assert_json_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("sku", ["%00", "DRK%00", "x" * 33, "%E2%80%8B%0A"])
def test_a_product_code_no_product_can_have_is_a_json_404(kiosk, cola, sku):
    assert_json_error(kiosk.get(f"/api/products/{sku}/"), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/api/products/", "/api/sales/1/x/", "/api/products/a/b/"]
)
def test_an_unknown_api_path_is_a_json_404(kiosk, path):
    assert_json_error(kiosk.get(path), 404, "not_found")


def test_an_unknown_api_path_is_a_json_404_even_without_a_login(client):
    assert_json_error(client.get("/api/nope/"), 404, "not_found")


def test_a_method_the_api_does_not_have_is_a_json_405(kiosk, cola):
    assert_json_error(kiosk.get("/api/sales/"), 405, "method_not_allowed")
    assert_json_error(kiosk.delete("/api/products/DRK-001/"), 405, "method_not_allowed")


def test_a_crash_is_a_json_500_that_says_only_internal(kiosk, cola, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("sales.api.sale_create", broken)

    response = kiosk.post(
        "/api/sales/",
        '{"lines": [{"sku": "DRK-001", "qty": 1}]}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 500
    assert response.json() == {"error": "internal", "message": "Internal error."}


def test_without_a_login_the_api_answers_json_401(client, cola):
    assert_json_error(client.get("/api/products/DRK-001/"), 401, "not_authenticated")


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/nope/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
