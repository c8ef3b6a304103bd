"""A known day at the till: payments by method, a return, two shifts; what
its report, manifest and PDF must say."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.storage import storages

from reports.periods import day_period
from reports.services import report_build
from sales.models import Return, Sale, Shift
from sales.returns import sale_return
from sales.services import sale_create
from sales.shifts import shift_close, shift_open
from tests.factories import ProductFactory, UserFactory
from tests.reports.conftest import at
from tests.reports.pdftext import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

DAY = datetime.date(2026, 11, 20)


def read(key: str) -> str:
    with storages["reports"].open(key) as f:
        return f.read().decode()


def sell(clerk, lines, payment, when, shift=None, tendered=None) -> Sale:
    sale, _ = sale_create(
        clerk=clerk,
        lines=lines,
        payment=payment,
        shift_id=shift and shift.pk,
        cash_tendered=tendered,
    )
    Sale.objects.filter(pk=sale.pk).update(created_at=when)
    return sale


@pytest.fixture
def till_day(clerk, manager):
    ProductFactory(sku="COLA", name="Cola", price=Decimal("5.50"), cost=Decimal("3"))
    ProductFactory(sku="CHIPS", name="Chips", price=Decimal("11.90"), cost=Decimal("7"))
    ana = UserFactory(username="ana")
    morning = shift_open(clerk=clerk, opening_float=Decimal("100.00"))
    evening = shift_open(clerk=ana, opening_float=Decimal("50.00"))

    sell(clerk, [("COLA", 2)], "cash", at(DAY, "07:00"), morning, Decimal("20"))
    sell(clerk, [("CHIPS", 1)], "debit", at(DAY, "08:00"), morning)
    returned = sell(clerk, [("COLA", 3)], "cash", at(DAY, "09:00"), morning)
    sell(ana, [("CHIPS", 2)], "pix", at(DAY, "15:00"), evening)
    sell(ana, [("COLA", 1), ("CHIPS", 1)], "credit", at(DAY, "16:00"), evening)
    sell(ana, [("CHIPS", 1)], "cash", at(DAY, "17:00"), evening, Decimal("50"))
    ret, _ = sale_return(
        sale_id=returned.pk,
        user=clerk,
        approved_by=manager,
        lines=[("COLA", 1)],
        restock=True,
    )
    Return.objects.filter(pk=ret.pk).update(created_at=at(DAY, "10:00"))
    Shift.objects.filter(pk=morning.pk).update(opened_at=at(DAY, "06:00"))
    Shift.objects.filter(pk=evening.pk).update(opened_at=at(DAY, "14:00"))

    # Morning: 100 + 11.00 + 16.50 - 5.50 = 122.00 expected, 122.00 counted.
    shift_close(shift_id=morning.pk, user=clerk, counted=Decimal("122.00"))
    # Evening: 50 + 11.90 = 61.90 expected, 56.90 counted: R$ 5.00 short.
    shift_close(shift_id=evening.pk, user=ana, counted=Decimal("56.90"))
    Shift.objects.filter(pk=morning.pk).update(closed_at=at(DAY, "14:00"))
    Shift.objects.filter(pk=evening.pk).update(closed_at=at(DAY, "22:00"))
    return DAY


def test_payments_are_summed_per_method_net_of_refunds(till_day):
    report = report_build(period=day_period(till_day))

    summary = json.loads(read(report.files["summary.json"]))
    totals = summary["totals"]
    assert totals["payments"] == {
        "cash": "33.90",  # 11.00 + 16.50 + 11.90 - 5.50 refunded
        "debit": "11.90",
        "credit": "17.40",
        "pix": "23.80",
        "voucher": "0.00",
        "other": "0.00",
    }
    assert totals["returns"] == "5.50"
    assert totals["revenue"] == "87.00"  # 92.50 sold - 5.50 returned
    assert sum(Decimal(v) for v in totals["payments"].values()) == Decimal("87.00")
    assert totals["units"] == 10  # 11 sold, 1 returned


def test_the_days_sales_csv_is_net_of_returns(till_day):
    report = report_build(period=day_period(till_day))

    rows = list(csv.DictReader(io.StringIO(read(report.files["sales.csv"]))))
    assert [(r["sku"], r["qty"], r["revenue"], r["cost"]) for r in rows] == [
        ("CHIPS", "5", "59.50", "35.00"),
        ("COLA", "5", "27.50", "15.00"),
    ]


def test_the_manifest_lists_the_days_shifts_with_their_difference(till_day):
    report = report_build(period=day_period(till_day))

    shifts = json.loads(read(report.files["summary.json"]))["shifts"]
    assert [
        (s["clerk"], s["opening_float"], s["expected_cash"], s["difference"])
        for s in shifts
    ] == [
        ("clerk", "100.00", "122.00", "0.00"),
        ("ana", "50.00", "61.90", "-5.00"),
    ]


def test_the_pdf_has_the_payments_table_and_the_shifts(till_day, reports_storage):
    report = report_build(period=day_period(till_day))

    text = pdf_text(reports_storage / report.files["report.pdf"])
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for row in (
        "Method Sales Received Refunded Net",
        "Cash 3 R$ 39.40 R$ 5.50 R$ 33.90",
        "Debit card 1 R$ 11.90 R$ 0.00 R$ 11.90",
        "Credit card 1 R$ 17.40 R$ 0.00 R$ 17.40",
        "Pix 1 R$ 23.80 R$ 0.00 R$ 23.80",
        "Voucher 0 R$ 0.00 R$ 0.00 R$ 0.00",
        "Total 6 R$ 92.50 R$ 5.50 R$ 87.00",
        "ana 20/11 14:00 20/11 22:00 R$ 50.00 R$ 61.90 R$ 56.90 -R$ 5.00",
    ):
        assert row in lines, row
