"""Waste and expiring lots in the daily report: a known day's write-offs
valued at their day's cost (waste.csv, the PDF, totals.waste) and the lots
whose last day of sale is the morning the report is read, or the next
(the manifest's `expiring`)."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.storage import storages

from inventory.models import Product, StockMovement
from inventory.perishables import lot_write_off
from reports.periods import day_period
from reports.services import report_build
from sales.returns import sale_return
from sales.services import sale_create
from tests.factories import ProductFactory
from tests.inventory.lots import day, perishable, receive
from tests.reports.conftest import at
from tests.reports.pdftext import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def read(key: str) -> str:
    with storages["reports"].open(key) as f:
        return f.read().decode()


def on(when: datetime.datetime, movements) -> None:
    """The ledger rows moved to when they happened."""
    StockMovement.objects.filter(pk__in=[m.pk for m in movements]).update(
        created_at=when
    )


@pytest.fixture
def waste_day(clerk, manager):
    """Yesterday (the report read this morning): 2 milks of an expired lot
    and 1 yoghurt written off, 2 chips returned and not put back; a milk
    written off the day before. Costs change afterwards: the waste keeps
    its day's cost."""
    yesterday = day(-1)
    milk = perishable((6, -2), (10, 5), sku="MILK", name="Leite 1L", cost="3.20")
    yoghurt = perishable((4, 3), sku="YOG", name="Iogurte", cost="1.75")
    chips = ProductFactory(sku="CHIPS", name="Chips", cost=Decimal("7.00"), stock=9)
    expired = milk.lots.get(expires_on=day(-2))

    on(
        at(yesterday - datetime.timedelta(days=1), "18:00"),
        lot_write_off(lots={expired.pk: 1}, reason="expired", user=manager),
    )
    on(
        at(yesterday, "08:15"),
        lot_write_off(lots={expired.pk: 2}, reason="expired", user=manager),
    )
    on(
        at(yesterday, "09:00"),
        lot_write_off(
            lots={yoghurt.lots.get().pk: 1}, reason="damaged: lid open", user=manager
        ),
    )
    sale, _ = sale_create(clerk=clerk, lines=[("CHIPS", 3)])
    sale_return(
        sale_id=sale.pk,
        user=clerk,
        approved_by=manager,
        lines=[("CHIPS", 2)],
        restock=False,
        reason="crushed",
    )
    on(
        at(yesterday, "20:00"),
        StockMovement.objects.filter(product=chips, reason="waste"),
    )
    Product.objects.update(cost=Decimal("99.00"))
    return yesterday


def test_the_days_waste_is_listed_at_its_days_cost_with_its_total(waste_day):
    report = report_build(period=day_period(waste_day))

    rows = list(csv.reader(io.StringIO(read(report.files["waste.csv"]))))
    assert rows[0] == [
        *("date", "sku", "name", "qty", "unit_cost", "value"),
        *("expires_on", "ref", "note"),
    ]
    expired = day(-2).isoformat()
    assert [row[1:7] + row[8:] for row in rows[1:]] == [
        ["MILK", "Leite 1L", "2", "3.20", "6.40", expired, "expired"],
        [
            "YOG",
            "Iogurte",
            "1",
            "1.75",
            "1.75",
            day(3).isoformat(),
            "damaged: lid open",
        ],
        ["CHIPS", "Chips", "2", "7.00", "14.00", "", rows[3][8]],
        ["", "", "5", "", "22.15", "", ""],
    ]
    assert "crushed" in rows[3][8]
    assert rows[-1][0] == "total"
    assert rows[1][0].startswith(f"{waste_day.isoformat()}T08:15")
    summary = json.loads(read(report.files["summary.json"]))
    assert summary["totals"]["waste"] == "22.15"
    assert report.totals["waste"] == "22.15"


def test_the_pdf_has_the_waste_section_and_total(waste_day, reports_storage):
    report = report_build(period=day_period(waste_day))

    text = pdf_text(reports_storage / report.files["report.pdf"])
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Waste (written off, at cost)" in lines
    assert any(
        line.startswith("Waste at cost R$ 22.15") or line.endswith("R$ 22.15")
        for line in lines
    )
    assert any(
        "MILK Leite 1L" in line and "2 R$ 3.20 R$ 6.40" in line for line in lines
    )
    assert "Total 5 R$ 22.15" in lines


def test_a_day_without_waste_says_so_and_totals_zero(db, reports_storage):
    report = report_build(period=day_period(day(-1)))

    assert report.totals["waste"] == "0.00"
    assert read(report.files["waste.csv"]).splitlines() == [
        "date,sku,name,qty,unit_cost,value,expires_on,ref,note"
    ]
    text = pdf_text(reports_storage / report.files["report.pdf"])
    assert "Nothing written off in this period." in text


def test_the_manifest_lists_lots_expiring_today_or_tomorrow(db):
    milk = perishable((3, 0), (5, 1), (7, 2), sku="MILK", name="Leite 1L")
    receive(milk, 4, 1)  # a second delivery with the same date: counted together
    perishable((2, -1), (6, 1), sku="YOG", name="Iogurte")  # one expired yesterday
    sold_out = perishable((1, 0), sku="SAND", name="Sanduíche")
    lot_write_off(lots={sold_out.lots.get().pk: 1}, reason="expired")
    ProductFactory(sku="COLA", stock=10)  # does not track expiry

    report = report_build(period=day_period(day(-1)))

    summary = json.loads(read(report.files["summary.json"]))
    assert summary["expiring"] == [
        {"sku": "MILK", "name": "Leite 1L", "expires_on": day(0).isoformat(), "qty": 3},
        {"sku": "MILK", "name": "Leite 1L", "expires_on": day(1).isoformat(), "qty": 9},
        {"sku": "YOG", "name": "Iogurte", "expires_on": day(1).isoformat(), "qty": 6},
    ]
