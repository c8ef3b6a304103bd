"""The demo store's kiosk (seed_demo, as scripts/run loads it) has sold by
Pix and by card today, and has a pending sale its attendant confirms with
scripts/run's demo PIN."""

import json

import pytest
from django.test import Client

from sales.management.commands.seed_demo import demo_kiosk_sales
from sales.models import Sale
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
DEMO_PIN = "2468"  # scripts/run's


def test_the_demo_kiosk_has_paid_and_pending_sales_and_the_demo_pin_confirms(
    kiosk, settings
):
    settings.PITSTOP_ATTENDANT_PIN = DEMO_PIN
    drinks = CategoryFactory(name="Bebidas")
    for n in range(3):
        ProductFactory(sku=f"DRK-00{n}", category=drinks, stock=10)

    demo_kiosk_sales(kiosk=kiosk)

    kiosk_sales = Sale.objects.filter(channel="kiosk", clerk=kiosk)
    assert sorted(
        kiosk_sales.values_list("payment", "payment_status", "payment_confirmed_by")
    ) == [
        ("cash", "pending", ""),
        ("debit", "paid", "attendant"),
        ("pix", "paid", "service"),
    ]
    pending = kiosk_sales.get(payment_status="pending")
    device = Client()
    device.force_login(kiosk)

    answer = device.post(
        f"/kiosk/sales/{pending.pk}/paid/",
        json.dumps({"pin": DEMO_PIN}),
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert device.get(f"/api/sales/{pending.pk}/").json()["payment_status"] == "paid"
