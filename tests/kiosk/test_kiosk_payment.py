"""A kiosk's sale waits, pending, until its payment is confirmed: the
attendant's PIN at the kiosk, or the payment service's webhook. The kiosk
reads its own sales (not others'), and gives the customer a signed link to
the receipt page."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from pitstop.roles import KIOSKS
from sales.models import Sale
from sales.services import sale_create
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
PIN = "2468"


@pytest.fixture(autouse=True)
def store(settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN
    settings.PITSTOP_PIX_KEY = "pix@pitstop.example"
    ProductFactory(sku="WAT-001", name="Água 500ml", price=Decimal("3.00"), stock=10)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def kiosk_sells(kiosk, payment: str) -> dict:
    body = {"lines": [{"sku": "WAT-001", "qty": 2}], "payment": payment}
    answer = api(kiosk).post("/api/sales/", body, format="json")
    assert answer.status_code == 201
    return answer.json()


@pytest.mark.parametrize("payment", ["pix", "debit", "credit", "cash"])
def test_a_kiosks_sale_is_pending_and_a_counter_sale_is_paid(kiosk, clerk, payment):
    sold = kiosk_sells(kiosk, payment)
    counter, _ = sale_create(clerk=clerk, lines=[("WAT-001", 1)], payment="debit")

    assert sold["payment_status"] == "pending"
    assert api(kiosk).get(f"/api/sales/{sold['id']}/").json()["payment_status"] == (
        "pending"
    )
    assert counter.payment_status == "paid"


def test_a_kiosk_reads_its_own_sales_with_the_pix_code_and_not_others(
    kiosk, clerk, roles
):
    mine = kiosk_sells(kiosk, "pix")
    other_kiosk = UserFactory(username="kiosk-2")
    other_kiosk.groups.add(Group.objects.get(name=KIOSKS))
    theirs = kiosk_sells(other_kiosk, "pix")

    answer = api(kiosk).get(f"/api/sales/{mine['id']}/")

    assert answer.status_code == 200
    assert answer.json()["pix"]["code"].startswith("000201")
    assert "54046.00" in answer.json()["pix"]["code"]  # field 54, the amount
    assert api(kiosk).get(f"/api/sales/{theirs['id']}/").status_code == 404


def confirm(client: Client, sale_id: int, pin: str):
    return client.post(
        f"/kiosk/sales/{sale_id}/paid/",
        json.dumps({"pin": pin}),
        content_type="application/json",
    )


def test_the_attendant_confirms_a_pending_sale_with_the_pin(client, kiosk):
    sold = kiosk_sells(kiosk, "debit")
    client.force_login(kiosk)

    wrong = confirm(client, sold["id"], "1111")
    assert wrong.status_code == 403
    assert Sale.objects.get().payment_status == "pending"

    answer = confirm(client, sold["id"], PIN)

    assert answer.status_code == 200
    assert answer.json() == {"id": sold["id"], "payment_status": "paid"}
    sale = Sale.objects.get()
    assert (sale.payment_status, sale.payment_confirmed_by) == ("paid", "attendant")
    assert sale.paid_at is not None
    assert confirm(client, sold["id"], PIN).status_code == 200  # a second tap


def test_a_kiosk_cannot_confirm_another_kiosks_sale(client, kiosk, roles):
    other_kiosk = UserFactory(username="kiosk-2")
    other_kiosk.groups.add(Group.objects.get(name=KIOSKS))
    theirs = kiosk_sells(other_kiosk, "debit")
    client.force_login(kiosk)

    assert confirm(client, theirs["id"], PIN).status_code == 404
    assert Sale.objects.get().payment_status == "pending"


def test_the_receipt_link_is_signed_and_shows_pending_then_paid(client, kiosk):
    sold = kiosk_sells(kiosk, "pix")
    client.force_login(kiosk)
    link = client.get(f"/kiosk/sales/{sold['id']}/receipt/").json()
    assert link["qr"].startswith("data:image/svg+xml")
    path = link["url"].removeprefix("http://testserver")
    assert path.startswith("/kiosk/receipt/")
    customer = Client()  # the customer's phone: no login

    page = customer.get(path, headers={"accept-language": "pt-br"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Pagamento pendente" in text
    assert "R$ 6,00" in text
    assert 'id="pix-code"' in text

    confirm(client, sold["id"], PIN)
    text = customer.get(path, headers={"accept-language": "pt-br"}).content.decode()
    assert "Pagamento pendente" not in text
    assert 'id="pix-code"' not in text
    assert "Pago" in text


@pytest.mark.parametrize(
    "token", ["{id}", "{id}:forged", "{other}:{signature}", "x:{signature}"]
)
def test_a_receipt_is_not_reachable_by_its_number_or_a_forged_link(
    client, kiosk, token
):
    first = kiosk_sells(kiosk, "pix")
    second = kiosk_sells(kiosk, "pix")
    client.force_login(kiosk)
    url = client.get(f"/kiosk/sales/{first['id']}/receipt/").json()["url"]
    signature = url.rstrip("/").rsplit(":", 1)[1]
    path = (
        "/kiosk/receipt/"
        + token.format(id=first["id"], other=second["id"], signature=signature)
        + "/"
    )

    assert Client().get(path).status_code == 404


def test_a_manager_confirms_a_pending_kiosk_sale_from_the_admin(client, kiosk, manager):
    sold = kiosk_sells(kiosk, "cash")
    client.force_login(manager)

    answer = client.post(
        "/admin/sales/sale/",
        {"action": "confirm_payments", "_selected_action": [sold["id"]]},
        follow=True,
    )

    assert answer.status_code == 200
    sale = Sale.objects.get()
    assert (sale.payment_status, sale.payment_confirmed_by) == ("paid", "attendant")


def test_a_clerk_cannot_confirm_payments_in_the_admin(client, kiosk, clerk):
    sold = kiosk_sells(kiosk, "cash")
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)

    client.post(
        "/admin/sales/sale/",
        {"action": "confirm_payments", "_selected_action": [sold["id"]]},
    )

    assert Sale.objects.get().payment_status == "pending"
