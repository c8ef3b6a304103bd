"""The kiosk API's answer to a sale (sales.api.sale_answer) is the one its
schema promises (SaleSerializer), whether the sale was just made or found by
its idempotency key."""

from decimal import Decimal

import pytest
from django.db.models import Prefetch
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sales.api import SaleSerializer, sale_answer
from sales.models import Payment, Sale, SaleLine
from sales.services import sale_create
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def serialized(pk: int) -> dict:
    sale = Sale.objects.prefetch_related(
        Prefetch("lines", SaleLine.objects.select_related("product"))
    ).get(pk=pk)
    return dict(SaleSerializer(sale).data)


def test_the_answer_to_a_sale_is_what_the_schema_promises(clerk):
    ProductFactory(sku="DRK-001", name="Cola", price="5.50", stock=9)
    ProductFactory(sku="CHP-001", name="Chips", price="11.9", stock=9)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")
    body = {
        "lines": [{"sku": "DRK-001", "qty": 3}, {"sku": "CHP-001", "qty": 1}],
        "idempotency_key": "k-1",
    }

    made = client.post("/api/sales/", body, format="json")
    again = client.post("/api/sales/", body, format="json")

    assert (made.status_code, again.status_code) == (201, 200)
    assert made.json() == again.json() == serialized(made.json()["id"])
    assert made.json()["total"] == "28.40"


def test_a_cash_sale_answers_its_change_as_the_schema_does(clerk):
    ProductFactory(sku="DRK-001", price="5.50", stock=9)
    sale, _created = sale_create(
        clerk=clerk,
        lines=[("DRK-001", 1)],
        payment=Payment.CASH,
        cash_tendered=Decimal("10"),
        channel=Sale.Channel.KIOSK,
    )
    assert sale_answer(sale) == serialized(sale.pk)
    assert sale_answer(sale)["change"] == "4.50"
