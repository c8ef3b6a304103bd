"""The whole loop on S3 (moto) with the mail outbox: sell → the daily close
replenishes and the digest names the draft → a manager sends it from a phone
(the supplier's e-mail carries the PDF and the CSV, both stored under
orders/po/) → two deliveries through the handheld API → received, alert
closed, ledger = stock."""

import csv
import datetime
import io
from decimal import Decimal

import boto3
import pytest
from django.core import mail
from django.db.models import Sum
from django.utils import timezone

from alerts.models import Recipient
from inventory.models import LowStockAlert, StockMovement
from pitstop.storage import s3_reports
from purchasing.models import PurchaseOrder
from reports.periods import day_period
from reports.services import report_build
from sales.services import sale_create
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

BUCKET = "pitstop-orders-test"


@pytest.fixture
def s3(settings, aws_mock):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "reports": s3_reports(BUCKET)}
    return client


def test_sell_replenish_send_and_receive_in_two_deliveries(
    s3, clerk, manager, client, django_capture_on_commit_callbacks
):
    Recipient.objects.create(name="Ana", email="ana@pitstop.example")
    supplier = SupplierFactory(
        name="Distribuidora Bebidas Sul",
        email="pedidos@bebidassul.example",
        lead_time_days=3,
    )
    cola = ProductFactory(
        sku="DRK-001",
        name="Coca-Cola 350ml can",
        supplier=supplier,
        stock=40,
        reorder_point=12,
        par_level=48,
        pack_size=12,
        cost=Decimal("2.90"),
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    sale, _ = sale_create(clerk=clerk, lines=[("DRK-001", 30)])  # 10 left: low
    StockMovement.objects.filter(reason="sale", ref=str(sale.pk)).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    alert = LowStockAlert.objects.get(product=cola)
    mail.outbox.clear()

    # The daily close: the report's files, replenish, then the manifest.
    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=day_period(yesterday), replenish_drafts=True)

    order = PurchaseOrder.objects.get()
    number = order.number
    # Target 48 (the par level beats 30/28 a day x 10 days); 38 short, rounded
    # up to 4 cases of 12; 48 x R$ 2.90 = R$ 139.20.
    assert (order.status, list(order.lines.values_list("ordered", flat=True))) == (
        "draft",
        [48],
    )
    (digest,) = mail.outbox
    assert f"{number} Distribuidora Bebidas Sul, 1 line, R$ 139.20" in digest.body
    mail.outbox.clear()

    client.force_login(manager)
    drafts = client.get("/api/purchase-orders/?status=draft").json()
    assert [(d["number"], d["lines"], d["total"]) for d in drafts] == [
        (number, 1, "139.20")
    ]

    sent = client.post(f"/api/purchase-orders/{number}/send/")

    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "sent"
    (email,) = mail.outbox
    assert email.to == ["pedidos@bebidassul.example"]
    assert number in email.subject
    names = sorted(name for name, _content, _type in email.attachments)
    assert names == [f"{number}.csv", f"{number}.pdf"]
    stored = {
        o["Key"]
        for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="orders/po/")["Contents"]
    }
    assert stored == {f"orders/po/{number}.pdf", f"orders/po/{number}.csv"}
    body = s3.get_object(Bucket=BUCKET, Key=f"orders/po/{number}.csv")["Body"].read()
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [(r["sku"], r["quantity"], r["unit_cost"]) for r in rows] == [
        ("DRK-001", "48", "2.90")
    ]
    pdf = s3.get_object(Bucket=BUCKET, Key=f"orders/po/{number}.pdf")["Body"].read()
    assert pdf.startswith(b"%PDF")
    assert client.get("/api/products/DRK-001/").json()["on_order"] == 48

    first = client.post(
        f"/api/purchase-orders/{number}/receipts/",
        {"lines": [{"sku": "DRK-001", "qty": 2}], "idempotency_key": "dock-1"},
        content_type="application/json",
    )

    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "partial"
    assert first.json()["lines"][0]["received"] == 2
    product = client.get("/api/products/DRK-001/").json()
    assert (product["stock"], product["on_order"]) == (12, 46)
    alert.refresh_from_db()
    assert alert.is_open  # 12 is still at the reorder point

    rest = client.post(
        f"/api/purchase-orders/PO-{order.pk}/receipts/",
        {"lines": [{"sku": "DRK-001", "qty": 46}], "idempotency_key": "dock-2"},
        content_type="application/json",
    )
    again = client.post(
        f"/api/purchase-orders/{order.pk}/receipts/",
        {"lines": [{"sku": "DRK-001", "qty": 46}], "idempotency_key": "dock-2"},
        content_type="application/json",
    )

    assert (rest.status_code, rest.json()["status"]) == (201, "received")
    assert (again.status_code, again.json()) == (200, rest.json())
    product = client.get("/api/products/DRK-001/").json()
    assert (product["stock"], product["on_order"]) == (58, 0)
    alert.refresh_from_db()
    assert not alert.is_open
    receipts = StockMovement.objects.filter(reason="receipt", ref=number)
    assert sorted(receipts.values_list("delta", flat=True)) == [2, 46]
    cola.refresh_from_db()
    assert cola.stock == cola.movements.aggregate(s=Sum("delta"))["s"] == 58
