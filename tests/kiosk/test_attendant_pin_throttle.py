"""Wrong attendant's PINs are throttled per kiosk: after 5 within 15 minutes
the kiosk is refused the PIN, the right one too, until they age out; another
kiosk is not affected. Every way a kiosk sends a PIN counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from pitstop.roles import KIOSKS
from sales.models import AttendantPinFailure, Sale
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
PIN = "2468"


@pytest.fixture(autouse=True)
def attendant_pin(settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN


def pin_check(client: Client, pin: str):
    return client.post(
        "/kiosk/attendant/", json.dumps({"pin": pin}), content_type="application/json"
    )


@pytest.fixture
def device(client, kiosk):
    client.force_login(kiosk)
    return client


def test_five_wrong_pins_lock_the_kiosk_even_for_the_right_pin(device):
    lefts = [pin_check(device, "1111").json()["left"] for _ in range(5)]

    refused = pin_check(device, PIN)

    assert lefts == [4, 3, 2, 1, 0]
    assert refused.status_code == 429
    assert refused.json()["error"] == "locked"
    assert refused.json()["minutes"] == 15
    assert "15 minutos" in refused.json()["message"]


def test_four_wrong_pins_then_the_right_one_unlock_and_forget_them(device):
    for _ in range(4):
        assert pin_check(device, "1111").status_code == 403

    assert pin_check(device, PIN).status_code == 204
    assert not AttendantPinFailure.objects.exists()
    assert pin_check(device, "1111").json()["left"] == 4


def test_the_lock_lifts_once_the_failures_are_15_minutes_old(device):
    for _ in range(5):
        pin_check(device, "1111")
    assert pin_check(device, PIN).status_code == 429

    AttendantPinFailure.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    )

    assert pin_check(device, PIN).status_code == 204


def test_a_locked_kiosk_does_not_lock_another(device, roles):
    for _ in range(5):
        pin_check(device, "1111")
    other = UserFactory(username="kiosk-2")
    other.groups.add(Group.objects.get(name=KIOSKS))
    client = Client()
    client.force_login(other)

    assert pin_check(client, PIN).status_code == 204


def test_a_sales_pin_counts_and_a_locked_kiosk_cannot_sell_restricted_items(
    kiosk, device
):
    ProductFactory(sku="BER-001", price=Decimal("6.90"), stock=10, age_restricted=True)
    api = APIClient()
    api.force_authenticate(kiosk)

    def sell(pin):
        body = {"lines": [{"sku": "BER-001", "qty": 1}], "attendant_pin": pin}
        return api.post("/api/sales/", body, format="json")

    for _ in range(5):
        assert sell("1111").status_code == 409
    assert AttendantPinFailure.objects.count() == 5

    refused = sell(PIN)

    assert refused.status_code == 409
    assert refused.json()["error"] == "attendant_required"
    assert not Sale.objects.exists()
    assert pin_check(device, PIN).status_code == 429


def test_confirming_a_payment_is_throttled_too(kiosk, device):
    ProductFactory(sku="WAT-001", price=Decimal("3.00"), stock=10)
    api = APIClient()
    api.force_authenticate(kiosk)
    body = {"lines": [{"sku": "WAT-001", "qty": 1}], "payment": "debit"}
    sale_id = api.post("/api/sales/", body, format="json").json()["id"]

    def confirm(pin):
        return device.post(
            f"/kiosk/sales/{sale_id}/paid/",
            json.dumps({"pin": pin}),
            content_type="application/json",
        )

    assert [confirm("1111").status_code for _ in range(5)] == [403] * 5
    assert confirm(PIN).status_code == 429
    assert Sale.objects.get().payment_status == "pending"


def test_a_manager_lifts_the_lock_by_deleting_the_failures_in_the_admin(
    device, manager
):
    for _ in range(5):
        pin_check(device, "1111")
    admin = Client()
    admin.force_login(manager)

    admin.post(
        "/admin/sales/attendantpinfailure/",
        {
            "action": "delete_selected",
            "_selected_action": list(
                AttendantPinFailure.objects.values_list("pk", flat=True)
            ),
            "post": "yes",
        },
    )

    assert pin_check(device, PIN).status_code == 204
