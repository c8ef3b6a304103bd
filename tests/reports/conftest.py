import datetime
from decimal import Decimal

import pytest

from inventory.models import StockMovement
from sales.models import Sale
from sales.selectors import store_midnight
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory, SupplierFactory

DAY = datetime.date(2026, 11, 20)


def at(day: datetime.date, hh_mm: str) -> datetime.datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return store_midnight(day) + datetime.timedelta(hours=hour, minutes=minute)


def sell(clerk, lines, when: datetime.datetime) -> Sale:
    """A sale through the service, then moved to when it happened."""
    sale, _ = sale_create(clerk=clerk, lines=lines)
    Sale.objects.filter(pk=sale.pk).update(created_at=when)
    StockMovement.objects.filter(reason="sale", ref=str(sale.pk)).update(
        created_at=when
    )
    return sale


@pytest.fixture
def store_day(clerk, manager):
    """A known day around midnight: what DAY's report must say is in
    tests/reports/test_report_numbers.py."""
    drinks = SupplierFactory(name="Bebidas Sul", email="pedidos@bebidassul.example")
    snacks = SupplierFactory(name="Atacado Central", email="compras@atacado.example")
    ProductFactory(
        sku="COLA",
        name="Cola 350ml",
        price=Decimal("5.50"),
        cost=Decimal("2.90"),
        stock=50,
        reorder_point=10,
        par_level=60,
        supplier=drinks,
    )
    ProductFactory(
        sku="CHIPS",
        name="Ruffles 96g",
        price=Decimal("11.90"),
        cost=Decimal("6.90"),
        stock=12,
        reorder_point=10,
        par_level=30,
        supplier=snacks,
    )
    ProductFactory(
        sku="WATER",
        name="Água 500ml",
        price=Decimal("3.50"),
        cost=Decimal("1.10"),
        stock=5,
        reorder_point=3,
        par_level=6,
        supplier=drinks,
    )
    before = DAY - datetime.timedelta(days=1)
    after = DAY + datetime.timedelta(days=1)
    sell(clerk, [("COLA", 2)], at(before, "23:30"))
    sell(clerk, [("COLA", 1), ("CHIPS", 1)], at(DAY, "00:30"))
    sell(clerk, [("WATER", 2)], at(DAY, "12:00"))
    voided = sell(clerk, [("COLA", 4)], at(DAY, "15:00"))
    sale_void(sale_id=voided.pk, user=manager, reason="card declined")
    sell(clerk, [("CHIPS", 2)], at(DAY, "23:30"))
    sell(clerk, [("COLA", 3)], at(after, "00:30"))
    return DAY
