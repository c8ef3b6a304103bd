"""`replenish` keeps one draft per supplier up to date: adds, updates and
removes lines, never a second draft, and running it twice changes nothing."""

import datetime

import pytest
from django.core.management import call_command

from inventory.models import Supplier
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import order_send, replenish
from tests.factories import ProductFactory, SupplierFactory
from tests.purchasing.conftest import sell

pytestmark = pytest.mark.django_db


def drafts() -> dict[str, dict[str, int]]:
    """{supplier: {sku: ordered}} over every draft."""
    result: dict[str, dict[str, int]] = {}
    for line in PurchaseOrderLine.objects.filter(order__status="draft").select_related(
        "order__supplier", "product"
    ):
        result.setdefault(line.order.supplier.name, {})[line.product.sku] = line.ordered
    return result


@pytest.fixture
def shelf():
    drinks = SupplierFactory(name="Bebidas Sul", lead_time_days=2)
    snacks = SupplierFactory(name="Atacado", lead_time_days=2)
    return {
        "COLA": ProductFactory(
            sku="COLA",
            supplier=drinks,
            stock=2,
            reorder_point=3,
            par_level=24,
            pack_size=6,
        ),
        "WATER": ProductFactory(
            sku="WATER", supplier=drinks, stock=1, reorder_point=3, par_level=10
        ),
        "CHIPS": ProductFactory(
            sku="CHIPS", supplier=snacks, stock=0, reorder_point=2, par_level=8
        ),
        "GUM": ProductFactory(
            sku="GUM", supplier=snacks, stock=50, reorder_point=2, par_level=8
        ),
    }


def test_one_draft_per_supplier_with_what_needs_ordering(shelf):
    summaries = replenish()

    assert drafts() == {
        "Bebidas Sul": {"COLA": 24, "WATER": 9},
        "Atacado": {"CHIPS": 8},
    }
    assert [(s.supplier, s.lines) for s in summaries] == [
        ("Atacado", 1),
        ("Bebidas Sul", 2),
    ]
    assert PurchaseOrder.objects.count() == 2


def test_running_it_twice_gives_the_same_drafts(shelf):
    first = replenish()
    before = list(PurchaseOrderLine.objects.values_list("pk", "order_id", "ordered"))

    second = replenish()

    assert second == first
    after = list(PurchaseOrderLine.objects.values_list("pk", "order_id", "ordered"))
    assert after == before
    assert PurchaseOrder.objects.count() == 2


def test_it_updates_adds_and_removes_lines_and_drops_an_empty_draft(shelf, today):
    replenish()
    cola_draft = PurchaseOrder.objects.get(supplier__name="Bebidas Sul")
    sell(shelf["GUM"], 49, day=today - datetime.timedelta(days=1))  # now low
    sell(shelf["WATER"], 1, day=today - datetime.timedelta(days=1), reason="void")
    shelf["CHIPS"].is_active = False  # no longer sold: not ordered
    shelf["CHIPS"].save()

    replenish()

    assert drafts() == {
        "Bebidas Sul": {"COLA": 24, "WATER": 8},
        # 49 sold in 28 days, lead 2: ⌈49 x 9 / 28⌉ = 16 beats the par level
        "Atacado": {"GUM": 16 - 1},
    }
    assert PurchaseOrder.objects.get(supplier__name="Bebidas Sul") == cola_draft


def test_a_supplier_with_nothing_to_order_loses_its_draft(shelf):
    replenish()
    shelf["CHIPS"].is_active = False
    shelf["CHIPS"].save()

    replenish()

    assert set(drafts()) == {"Bebidas Sul"}
    assert not PurchaseOrder.objects.filter(supplier__name="Atacado").exists()


def test_a_sent_order_counts_as_on_order_and_is_never_drafted_again(shelf, manager):
    replenish()
    draft = PurchaseOrder.objects.get(supplier__name="Bebidas Sul")
    order_send(order_id=draft.pk, user=manager)

    replenish()

    assert "Bebidas Sul" not in drafts()  # everything it needs is on order
    assert PurchaseOrder.objects.filter(supplier__name="Bebidas Sul").count() == 1


def test_a_draft_under_the_suppliers_minimum_is_flagged(shelf):
    Supplier.objects.filter(name="Atacado").update(min_order_value=500)

    summaries = {s.supplier: s for s in replenish()}

    assert summaries["Atacado"].below_minimum
    assert not summaries["Bebidas Sul"].below_minimum


def test_the_command_prints_one_line_per_draft(shelf, capsys):
    shelf["CHIPS"].cost = 2
    shelf["CHIPS"].save()

    call_command("replenish", "--date", datetime.date.today().isoformat())

    lines = capsys.readouterr().out.splitlines()
    numbers = {o.supplier.name: o.number for o in PurchaseOrder.objects.all()}
    assert lines[0] == f"{numbers['Atacado']} Atacado 1 line(s), R$ 16.00"
    assert lines[1].startswith(f"{numbers['Bebidas Sul']} Bebidas Sul 2 line(s), R$ ")


def test_the_command_refuses_a_bad_date():
    with pytest.raises(Exception, match="not a date"):
        call_command("replenish", "--date", "2026-02-30")


def test_a_product_moved_to_another_supplier_moves_to_its_draft(shelf):
    replenish()
    atacado = Supplier.objects.get(name="Atacado")
    shelf["WATER"].supplier = atacado
    shelf["WATER"].save()

    replenish()

    assert drafts() == {
        "Bebidas Sul": {"COLA": 24},
        "Atacado": {"CHIPS": 8, "WATER": 9},
    }
    assert PurchaseOrder.objects.count() == 2
