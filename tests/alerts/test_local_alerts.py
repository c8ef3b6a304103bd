"""PITSTOP_ALERTS=local, end to end: sales, deliveries and reports make the
alert function's decisions run in the app and land in the manager's inbox."""

import csv
import io

import pytest
from django.core import mail
from django.core.files.storage import storages

from alerts.models import Recipient
from inventory.services import stock_receive
from reports.periods import day_period
from reports.services import report_build
from sales.services import sale_create
from tests.factories import ProductFactory, UserFactory


@pytest.fixture
def manager_inbox(db):
    return Recipient.objects.create(
        name="Ana (manager)", email="ana@pitstop.example", phone="+5511987654321"
    )


# Real commits (transaction=True), so the e-mail goes out on commit as in the
# store; on SQLite as well as PostgreSQL: nothing here needs row locks.
@pytest.mark.django_db(transaction=True)
def test_one_email_per_crossing_of_the_reorder_point(manager_inbox):
    clerk = UserFactory()
    cola = ProductFactory(sku="DRK-001", name="Cola 350ml", stock=6, reorder_point=3)

    sale_create(clerk=clerk, lines=[("DRK-001", 2)])  # 4: above
    assert mail.outbox == []
    sale_create(clerk=clerk, lines=[("DRK-001", 1)])  # 3: crossed
    assert len(mail.outbox) == 1
    assert "Cola 350ml" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["ana@pitstop.example"]

    sale_create(clerk=clerk, lines=[("DRK-001", 2)])  # 1: still low
    assert len(mail.outbox) == 1
    stock_receive(supplier=None, quantities={cola.pk: 20})  # 21: above
    assert len(mail.outbox) == 1
    sale_create(clerk=clerk, lines=[("DRK-001", 19)])  # 2: crossed again
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_daily_report_sends_one_digest_and_drafts_one_order(
    manager_inbox, clerk, django_capture_on_commit_callbacks
):
    low = [
        ProductFactory(sku="CHP-001", name="Ruffles", stock=2, reorder_point=5),
        ProductFactory(sku="DRK-005", name="Água", stock=1, reorder_point=1),
    ]
    ProductFactory(sku="COF-001", name="Espresso", stock=50, reorder_point=10)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = report_build(period=day_period("2026-11-20"))

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    for product in low:
        assert product.name in digest.body
    assert "Espresso" not in digest.body
    storage = storages["reports"]
    assert storage.listdir("orders/2026-11-20/")[1] == ["daily-2026-11-20.csv"]
    order_key = "orders/2026-11-20/daily-2026-11-20.csv"
    with storage.open(order_key) as f:
        rows = list(csv.DictReader(io.StringIO(f.read().decode())))
    assert sorted(r["sku"] for r in rows) == ["CHP-001", "DRK-005"]
    assert report.status == "done"


@pytest.mark.django_db
def test_the_same_object_alerts_once(
    manager_inbox, clerk, django_capture_on_commit_callbacks
):
    ProductFactory(sku="CHP-001", stock=2, reorder_point=5)
    mail.outbox.clear()

    from alerts.services import alert_object

    with django_capture_on_commit_callbacks(execute=True):
        report = report_build(period=day_period("2026-11-20"))
    assert alert_object(key=report.files["summary.json"]) is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_recipients_who_want_no_digest_get_none(
    clerk, django_capture_on_commit_callbacks
):
    Recipient.objects.create(
        name="Night shift", email="night@x.example", wants_digest=False
    )
    ProductFactory(sku="CHP-001", stock=2, reorder_point=5)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=day_period("2026-11-20"))

    assert mail.outbox == []


@pytest.mark.django_db
def test_the_morning_digest_names_the_lots_that_expire_tomorrow(
    manager_inbox, django_capture_on_commit_callbacks, settings
):
    from tests.inventory.lots import day, perishable

    settings.LANGUAGE_CODE = "en"
    perishable((4, 1), sku="SAND", name="Sandwich")
    perishable((6, 1), (12, 9), sku="MILK", name="Milk 1L")
    perishable((2, 1), sku="YOG", name="Yoghurt")
    perishable((5, 0), sku="JUICE", name="Juice")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=day_period(day(-1)))

    body = mail.outbox[0].body
    assert (
        "3 lots expire tomorrow: Milk 1L (6 units), Sandwich (4 units), "
        "Yoghurt (2 units)\n"
    ) in body
    assert "1 lot expires today: Juice (5 units)\n" in body
