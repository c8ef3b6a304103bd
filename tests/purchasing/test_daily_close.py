"""The daily close: yesterday's report task replenishes after the report's
files and before its manifest, so the manifest (and the digest) names the
drafts to approve; rebuilding an older day's report drafts nothing."""

import datetime
import json

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from purchasing.models import PurchaseOrder
from reports.tasks import report_daily
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_shelf():
    supplier = SupplierFactory(name="Atacado Central", min_order_value=100)
    ProductFactory(
        sku="CHIPS", supplier=supplier, stock=2, reorder_point=5, par_level=20,
        cost="3.00",
    )  # fmt: skip


def manifest(day: datetime.date) -> dict:
    key = f"reports/daily/{day.isoformat()}/summary.json"
    with storages["reports"].open(key) as f:
        return json.load(f)


def test_yesterdays_report_drafts_orders_and_its_manifest_names_them(low_shelf):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    report_daily(yesterday.isoformat())

    order = PurchaseOrder.objects.get()
    assert manifest(yesterday)["purchase_orders"] == [
        {
            "number": order.number,
            "supplier": "Atacado Central",
            "lines": 1,
            "total": "54.00",
            "min_order_value": "100.00",
            "below_minimum": True,
        }
    ]
    item = manifest(yesterday)["low_stock"][0]
    assert (item["sku"], item["on_order"], item["velocity"]) == ("CHIPS", 0, "0.00")


def test_an_older_days_report_drafts_nothing(low_shelf):
    older = timezone.localdate() - datetime.timedelta(days=3)

    report_daily(older.isoformat())

    assert not PurchaseOrder.objects.exists()
    assert manifest(older)["purchase_orders"] == []
