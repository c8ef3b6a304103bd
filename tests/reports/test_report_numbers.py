import csv
import datetime
import io
import json

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import Report
from reports.periods import InvalidPeriod, day_period, week_period
from reports.services import report_build
from tests.reports.pdftext import pdf_text

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def read(key: str) -> str:
    with storages["reports"].open(key) as f:
        return f.read().decode()


def test_a_store_day_report_has_exactly_the_day_midnight_to_midnight(store_day):
    report = report_build(period=day_period(store_day))

    assert report.status == "done"
    prefix = "reports/daily/2026-11-20/"
    assert report.files == {
        "sales.csv": prefix + "sales.csv",
        "restock.csv": prefix + "restock.csv",
        "waste.csv": prefix + "waste.csv",
        "report.pdf": prefix + "report.pdf",
        "summary.json": prefix + "summary.json",
    }
    assert list(csv.reader(io.StringIO(read(prefix + "sales.csv")))) == [
        ["sku", "name", "qty", "revenue", "cost", "margin", "stock", "reorder_point"],
        ["CHIPS", "Ruffles 96g", "3", "35.70", "20.70", "15.00", "9", "10"],
        ["WATER", "Água 500ml", "2", "7.00", "2.20", "4.80", "3", "3"],
        ["COLA", "Cola 350ml", "1", "5.50", "2.90", "2.60", "44", "10"],
    ]
    assert list(csv.reader(io.StringIO(read(prefix + "restock.csv")))) == [
        [
            *("sku", "name", "stock", "reorder_point", "par_level", "suggested_qty"),
            *("supplier", "supplier_email"),
            *("on_order", "velocity", "days_of_cover", "pack_size"),
        ],
        [
            *("CHIPS", "Ruffles 96g", "9", "10", "30", "21"),
            *("Atacado Central", "compras@atacado.example"),
            # 3 sold in the 28 days before the 21st: 3/28 a day, 9 units last 84
            *("0", "0.11", "84.0", "1"),
        ],
        [
            *("WATER", "Água 500ml", "3", "3", "6", "3"),
            *("Bebidas Sul", "pedidos@bebidassul.example"),
            *("0", "0.07", "42.0", "1"),
        ],
    ]
    summary = json.loads(read(prefix + "summary.json"))
    assert summary["schema"] == 1
    assert (summary["kind"], summary["period"]) == ("daily", "2026-11-20")
    assert summary["totals"] == {
        "sales": 3,
        "units": 6,
        "revenue": "48.20",
        "cost": "25.80",
        "margin": "22.40",
        "average_ticket": "16.07",
        "voided_sales": 1,
        "voided_total": "22.00",
        "returns": "0.00",
        "waste": "0.00",
        "payments": {
            "cash": "0.00",
            "debit": "0.00",
            "credit": "0.00",
            "pix": "0.00",
            "voucher": "0.00",
            "other": "48.20",
        },
    }
    assert [(p["sku"], p["suggested_qty"]) for p in summary["low_stock"]] == [
        ("CHIPS", 21),
        ("WATER", 3),
    ]
    assert summary["files"]["report.pdf"] == prefix + "report.pdf"
    assert report.totals == summary["totals"]


def test_sales_by_hour_follow_the_store_clock(store_day):
    from reports.selectors import report_data

    data = report_data(period=day_period(store_day))

    busy = [(h.hour, h.sales, str(h.revenue)) for h in data.by_hour if h.sales]
    assert busy == [(0, 1, "17.40"), (12, 1, "7.00"), (23, 1, "23.80")]


def test_the_aggregation_takes_the_same_few_queries_however_many_sales(store_day):
    from reports.selectors import report_data

    with CaptureQueriesContext(connection) as queries:
        report_data(period=day_period(store_day))

    # Lines by product, returned lines by product, sales, payments, refunds,
    # hours, restock, shifts, waste, expiring lots.
    assert len(queries) == 10


def test_a_week_report_covers_monday_to_sunday(store_day):
    report = report_build(period=week_period("2026-W47"))

    assert report.period_start == datetime.date(2026, 11, 16)
    assert report.totals["sales"] == 5  # Thursday 23:30 to Saturday 00:30: all in
    assert report.files["summary.json"] == "reports/weekly/2026-W47/summary.json"


def test_a_day_without_sales_still_gets_a_report_that_says_so(db):
    report = report_build(period=day_period("2026-11-01"))

    assert report.status == "done"
    assert report.totals["sales"] == 0
    assert read(report.files["sales.csv"]).splitlines() == [
        "sku,name,qty,revenue,cost,margin,stock,reorder_point"
    ]


def test_running_a_period_again_replaces_its_files_and_keeps_one_row(store_day):
    first = report_build(period=day_period(store_day))
    again = report_build(period=day_period(store_day))

    assert again.pk == first.pk
    assert again.files == first.files
    assert Report.objects.count() == 1
    assert again.attempts == 2
    folder = storages["reports"].listdir("reports/daily/2026-11-20")[1]
    assert sorted(folder) == [
        *("report.pdf", "restock.csv", "sales.csv", "summary.json", "waste.csv")
    ]


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (day_period, "2026-13-01", "not a date"),
        (day_period, "yesterday", "not a date"),
        (day_period, "2999-01-01", "in the future"),
        (week_period, "2026-W54", "not an ISO week"),
        (week_period, "2026-48", "not an ISO week"),
        (week_period, "2999-W01", "has not begun"),
    ],
)
def test_an_invalid_or_future_period_is_refused(parse, value, message):
    with pytest.raises(InvalidPeriod, match=message):
        parse(value)


def test_the_stored_pdf_names_the_top_products_and_the_totals(
    store_day, reports_storage
):
    report = report_build(period=day_period(store_day))

    text = pdf_text(reports_storage / report.files["report.pdf"])

    for expected in ("Ruffles 96g", "Água 500ml", "Cola 350ml", "R$ 48.20", "R$ 16.07"):
        assert expected in text
