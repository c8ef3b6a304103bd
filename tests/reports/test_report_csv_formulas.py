import csv
import io

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from reports.periods import day_period
from reports.services import report_build
from sales.services import sale_create
from tests.factories import ProductFactory, SupplierFactory
from tests.test_csvsafe import HYPERLINK

pytestmark = pytest.mark.django_db


def rows(key: str) -> list[dict[str, str]]:
    with storages["reports"].open(key) as f:
        return list(csv.DictReader(io.StringIO(f.read().decode())))


def test_a_formula_in_a_name_is_quoted_in_sales_and_restock_csv(clerk):
    supplier = SupplierFactory(name="+Atacado", email="a@example.com")
    ProductFactory(
        sku="-EVIL", name=HYPERLINK, stock=5, reorder_point=3, supplier=supplier
    )
    sale_create(clerk=clerk, lines=[("-EVIL", 3)])

    report = report_build(period=day_period(timezone.localdate()))

    sold = rows(report.files["sales.csv"])
    assert [(r["sku"], r["name"], r["qty"]) for r in sold] == [
        ("'-EVIL", "'" + HYPERLINK, "3")
    ]
    restock = rows(report.files["restock.csv"])
    assert [(r["sku"], r["name"], r["supplier"]) for r in restock] == [
        ("'-EVIL", "'" + HYPERLINK, "'+Atacado")
    ]
