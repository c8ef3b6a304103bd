"""/kiosk/ is for enrolled kiosk devices only; its catalogue and PIN check."""

import json
from decimal import Decimal

import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", [None, "clerk", "manager"])
def test_anyone_but_a_kiosk_is_sent_to_the_login_page(client, request, who):
    if who:
        client.force_login(request.getfixturevalue(who))

    answer = client.get("/kiosk/")

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/kiosk/"
    assert client.get("/kiosk/catalogue/").status_code == 302


def test_a_kiosk_gets_the_page_and_the_active_catalogue(client, kiosk):
    ProductFactory(
        sku="BER-001",
        barcode="789",
        name="Beer",
        price=Decimal("6.90"),
        age_restricted=True,
    )
    ProductFactory(sku="WAT-001", name="Water", price=Decimal("3.00"))
    ProductFactory(sku="OLD-001", is_active=False)
    client.force_login(kiosk)

    assert client.get("/kiosk/").status_code == 200
    products = client.get("/kiosk/catalogue/").json()["products"]

    assert sorted(products, key=lambda p: p["sku"]) == [
        {
            "sku": "BER-001",
            "barcode": "789",
            "name": "Beer",
            "price": "6.90",
            "attendant": True,
            "sellable": True,
        },
        {
            "sku": "WAT-001",
            "barcode": "",
            "name": "Water",
            "price": "3.00",
            "attendant": False,
            "sellable": True,
        },
    ]


def test_the_pin_check_answers_204_for_the_pin_and_403_otherwise(
    client, kiosk, settings
):
    settings.PITSTOP_ATTENDANT_PIN = "2468"
    client.force_login(kiosk)

    def check(body):
        return client.post(
            "/kiosk/attendant/", body, content_type="application/json"
        ).status_code

    assert check(json.dumps({"pin": "2468"})) == 204
    assert check(json.dumps({"pin": "2469"})) == 403
    assert check(json.dumps({"pin": 2468})) == 403
    assert check("not json") == 403


def test_a_kiosk_reaching_the_counters_sale_form_goes_to_its_own_page(client, kiosk):
    client.force_login(kiosk)

    for method in (client.get, client.post):
        answer = method("/sales/new/", {"code": "BER-001"})
        assert answer.status_code == 302
        assert answer["Location"] == "/kiosk/"


def test_the_catalogue_marks_a_perishable_with_nothing_in_date_as_not_sellable(
    client, kiosk
):
    ProductFactory(sku="MLK-001", tracks_expiry=True, stock=0)
    ProductFactory(sku="MLK-002", tracks_expiry=True, stock=2)
    client.force_login(kiosk)

    products = client.get("/kiosk/catalogue/").json()["products"]

    sellable = {p["sku"]: p["sellable"] for p in products}
    assert sellable == {"MLK-001": False, "MLK-002": True}
