import datetime
from decimal import Decimal

import pytest

from reports.pdf import report_pdf
from reports.periods import Period
from reports.selectors import HourSales, ProductSales, ReportData, Totals
from tests.reports.pdftext import pdf_text

# These tests read the English texts; test_language.py reads the Portuguese.
pytestmark = pytest.mark.usefixtures("in_english")

DAY = datetime.date(2026, 11, 27)
GENERATED = datetime.datetime(2026, 11, 28, 3, 5, tzinfo=datetime.UTC)


def product(sku: str, name: str, qty: int, revenue: str) -> ProductSales:
    revenue_ = Decimal(revenue)
    return ProductSales(sku, name, qty, revenue_, revenue_ * Decimal("0.6"), 20, 5)


def low(sku, name, stock, reorder_point, on_order, cover, suggested, supplier) -> dict:
    """A restock item as inventory.selectors.low_stock_item shapes it."""
    return {
        "sku": sku,
        "name": name,
        "stock": stock,
        "reorder_point": reorder_point,
        "on_order": on_order,
        "days_of_cover": cover,
        "suggested_qty": suggested,
        "supplier": supplier,
    }


def report(*, products: list[ProductSales], restock: list[dict]) -> ReportData:
    revenue = sum((p.revenue for p in products), Decimal("0.00"))
    sales = 40 if products else 0
    by_hour = [HourSales(h, 0, Decimal("0.00")) for h in range(24)]
    if products:
        by_hour[7] = HourSales(7, 25, revenue - Decimal("100.00"))
        by_hour[18] = HourSales(18, 15, Decimal("100.00"))
    return ReportData(
        period=Period("daily", DAY.isoformat(), DAY, DAY + datetime.timedelta(days=1)),
        generated_at=GENERATED,
        totals=Totals(
            sales=sales,
            units=sum(p.qty for p in products),
            revenue=revenue,
            cost=sum((p.cost for p in products), Decimal("0.00")),
            voided_sales=1,
            voided_total=Decimal("12.50"),
        ),
        products=products,
        by_hour=by_hour,
        restock=restock,
    )


SOLD = [
    product("PAO-001", "Pão de queijo", 120, "1080.00"),
    product("CAFE-002", "Café expresso", 90, "630.00"),
    product("GUA-350", "Guaraná 350ml", 60, "360.00"),
    product("AGUA-500", "Água mineral 500ml", 40, "131.30"),
]
LOW = [
    low("GUA-350", "Guaraná 350ml", 3, 12, 24, "0.6", 21, "Bebidas Sul"),
    low("PAO-001", "Pão de queijo", 0, 10, 0, None, 60, ""),
]


def test_report_shows_totals_top_products_and_restock_with_accents(tmp_path):
    path = tmp_path / "report.pdf"
    with path.open("wb") as out:
        report_pdf(report(products=SOLD, restock=LOW), out)

    text = pdf_text(path)
    assert "Pit Stop — daily report 2026-11-27" in text
    assert "America/Sao_Paulo" in text
    assert "generated 2026-11-28 00:05" in text  # 03:05 UTC, in store time
    assert "R$ 2,201.30" in text  # revenue
    assert "R$ 55.03" in text  # average ticket
    assert "R$ 12.50" in text  # voided total
    assert "Top 10 by revenue" in text
    assert "Top 10 by units" in text
    for name in ("Pão de queijo", "Café expresso", "Guaraná 350ml", "Água mineral"):
        assert name in text
    restock = text[text.index("Restock") :]
    assert "GUA-350" in restock
    assert "Bebidas Sul" in restock
    assert "PAO-001" in restock
    assert "On order" in restock
    assert "Days left" in restock
    assert "No sales in this period." not in text


def test_report_of_a_period_without_sales_says_so(tmp_path):
    path = tmp_path / "empty.pdf"
    with path.open("wb") as out:
        report_pdf(report(products=[], restock=[]), out)

    text = pdf_text(path)
    assert "No sales in this period." in text
    assert "Nothing to restock or to order." in text
    assert "R$ 0.00" in text
    assert "Top 10 by revenue" not in text


def test_weekly_report_title_shows_the_last_day_of_the_week(tmp_path):
    data = report(products=SOLD, restock=[])
    week = Period(
        "weekly", "2026-W48", datetime.date(2026, 11, 23), datetime.date(2026, 11, 30)
    )
    path = tmp_path / "week.pdf"
    with path.open("wb") as out:
        report_pdf(ReportData(**vars(data) | {"period": week}), out)

    assert "weekly report 2026-W48 (2026-11-23 to 2026-11-29)" in pdf_text(path)


def test_long_restock_list_spans_pages_with_the_header_repeated(tmp_path):
    many = [
        low(f"SKU-{i:03d}", f"Produto {i}", 1, 5, 0, "0.5", 19, "Atacadão")
        for i in range(120)
    ]
    path = tmp_path / "long.pdf"
    with path.open("wb") as out:
        report_pdf(report(products=SOLD, restock=many), out)

    pages = pdf_text(path).split("\f")
    assert "SKU-119" in pages[-2] or "SKU-119" in pages[-1]
    assert sum("Days left" in page for page in pages) >= 2  # header repeated
