from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sales.exceptions import InvalidSale
from sales.models import Sale, Shift
from sales.services import sale_create
from sales.shifts import shift_open
from tests.factories import ProductFactory
from tests.sales.till import pay, scan, till_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def cola():
    return ProductFactory(sku="DRK-001", name="Cola", price=Decimal("5.50"), stock=20)


@pytest.fixture
def kiosk(clerk):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}"
    )
    return client


def test_a_card_sale_records_its_method_on_the_sale_and_the_receipt(clerk_client, cola):
    scan(clerk_client, "DRK-001", 2)

    response = pay(clerk_client, "debit")

    sale = Sale.objects.get()
    assert response["Location"] == f"/sales/{sale.pk}/"
    assert (sale.payment, sale.cash_tendered, sale.shift) == ("debit", None, None)
    receipt = clerk_client.get(response["Location"])
    assert receipt.context["sale"].get_payment_display() == "Debit card"
    assert b'<dd id="payment-method">Debit card</dd>' in receipt.content
    assert b'id="change"' not in receipt.content


def test_cash_takes_the_amount_tendered_and_the_receipt_shows_the_change(
    clerk_client, clerk, cola
):
    shift_open(clerk=clerk, opening_float=Decimal("100.00"))
    scan(clerk_client, "DRK-001", 3)

    response = pay(clerk_client, "cash", cash_tendered="20,00")

    sale = Sale.objects.get()
    assert (sale.payment, sale.total, sale.cash_tendered) == (
        "cash",
        Decimal("16.50"),
        Decimal("20.00"),
    )
    assert sale.change == Decimal("3.50")
    assert sale.shift == Shift.objects.get(clerk=clerk)
    receipt = clerk_client.get(response["Location"]).content.decode()
    assert '<dd id="tendered">R$ 20.00</dd>' in receipt
    assert '<dd id="change">R$ 3.50</dd>' in receipt


def test_cash_below_the_total_is_refused_and_nothing_is_sold(clerk_client, clerk, cola):
    shift_open(clerk=clerk, opening_float=Decimal("50.00"))
    scan(clerk_client, "DRK-001", 2)
    before = till_state()

    response = pay(clerk_client, "cash", cash_tendered="10.99")

    assert response.status_code == 200
    assert response.context["error"] == (
        "The cash tendered, R$ 10.99, is less than the total, R$ 11.00."
    )
    assert till_state() == before
    assert clerk_client.session["sale_cart"] == {"DRK-001": 2}


def test_the_service_refuses_cash_tendered_below_the_total(clerk, cola):
    shift = shift_open(clerk=clerk, opening_float=Decimal("0"))
    with pytest.raises(InvalidSale, match="less than the total"):
        sale_create(
            clerk=clerk,
            lines=[("DRK-001", 1)],
            payment="cash",
            cash_tendered=Decimal("5.49"),
            shift_id=shift.pk,
        )
    assert Sale.objects.count() == 0


def test_an_unknown_payment_method_at_the_counter_is_refused(clerk_client, cola):
    scan(clerk_client, "DRK-001")
    before = till_state()

    response = pay(clerk_client, "bitcoin")

    assert response.status_code == 200
    assert "bitcoin" in response.context["error"]
    assert till_state() == before


def test_the_api_takes_a_payment_method_and_answers_with_it(kiosk, cola):
    response = kiosk.post(
        "/api/sales/",
        {"lines": [{"sku": "DRK-001", "qty": 1}], "payment": "pix"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["payment"], body["payment_status"]) == ("pix", "paid")
    assert Sale.objects.get().payment == "pix"


def test_the_api_payment_defaults_to_other_so_old_kiosks_keep_working(kiosk, cola):
    response = kiosk.post(
        "/api/sales/", {"lines": [{"sku": "DRK-001", "qty": 1}]}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["payment"] == "other"
    assert Sale.objects.get().payment == "other"


@pytest.mark.parametrize("payment", ["bitcoin", "", "CASH", 3, None, ["cash"]])
def test_an_unknown_payment_method_in_the_api_is_a_400_and_changes_nothing(
    kiosk, cola, payment
):
    before = till_state()

    response = kiosk.post(
        "/api/sales/",
        {"lines": [{"sku": "DRK-001", "qty": 1}], "payment": payment},
        format="json",
    )

    assert response.status_code == 400
    assert (response.json()["error"], response.json()["field"]) == (
        "invalid",
        "payment",
    )
    assert till_state() == before


def test_the_same_key_with_another_payment_method_is_refused(kiosk, cola):
    body = {"lines": [{"sku": "DRK-001", "qty": 1}], "idempotency_key": "k-1"}
    assert kiosk.post("/api/sales/", body, format="json").status_code == 201
    before = till_state()

    again = kiosk.post("/api/sales/", body | {"payment": "credit"}, format="json")

    assert again.status_code == 409
    assert again.json()["error"] == "idempotency_key_reused"
    assert till_state() == before


def test_the_api_shows_a_sale_with_its_payment_to_its_clerk_only(
    kiosk, clerk, manager, client, cola
):
    sale, _ = sale_create(clerk=clerk, lines=[("DRK-001", 2)], payment="credit")
    other, _ = sale_create(clerk=manager, lines=[("DRK-001", 1)])

    mine = kiosk.get(f"/api/sales/{sale.pk}/")

    assert mine.status_code == 200
    body = mine.json()
    assert (body["id"], body["total"], body["payment"], body["payment_status"]) == (
        sale.pk,
        "11.00",
        "credit",
        "paid",
    )
    assert body["lines"] == [
        {
            "sku": "DRK-001",
            "name": "Cola",
            "qty": 2,
            "unit_price": "5.50",
            "line_total": "11.00",
            "returned": 0,
        }
    ]
    assert (body["returns"], body["pix"]) == ([], None)
    assert kiosk.get(f"/api/sales/{other.pk}/").status_code == 404
    client.force_login(manager)
    assert client.get(f"/api/sales/{sale.pk}/").json()["id"] == sale.pk
