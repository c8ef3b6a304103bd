"""A manager writes off expired units in a real browser (in Portuguese, the
store's language): the lots list filtered to the expired ones, the action
"Dar baixa em vencidos / avariados", 2 units of the expired lot on its page;
stock, lot and ledger agree, and the day's report shows the waste."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from playwright.sync_api import expect

from inventory.models import StockMovement
from pitstop.clock import store_today
from reports.periods import day_period
from reports.services import report_build
from tests.factories import PASSWORD
from tests.inventory.lots import assert_lots_agree, day, lots_left, perishable

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_writes_off_two_units_of_an_expired_lot(page, manager):
    milk = perishable(
        (6, -1), (10, 5), sku="MILK", name="Leite integral 1L", cost=Decimal("3.20")
    )
    expired = milk.lots.get(expires_on=day(-1))

    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Usuário").fill("manager")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto("/admin/inventory/lot/")
    page.get_by_role("link", name="Vencido", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody input.action-select").check()
    page.locator("select[name=action]").select_option(
        label="Dar baixa em vencidos / avariados"
    )
    page.get_by_role("button", name="Ir", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/lot/write-off/\?ids={expired.pk}$"))

    units = page.get_by_label(re.compile(r"^Leite integral 1L \(MILK\), venceu em"))
    expect(units).to_have_value("6")  # an expired lot's units, offered whole
    units.fill("2")
    expect(page.get_by_label("Motivo")).to_have_value("expired")
    page.get_by_role("button", name="Dar baixa").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Baixado como perda: 2 unidades, R$ 6,40 a custo."
    )
    assert lots_left(milk) == [(day(-1), 4), (day(5), 10)]
    milk.refresh_from_db()
    assert milk.stock == 14
    assert_lots_agree(milk)
    waste = StockMovement.objects.get(reason="waste")
    assert (waste.delta, waste.unit_cost, waste.note) == (
        -2,
        Decimal("3.20"),
        "Vencido",
    )

    report = report_build(period=day_period(store_today()))

    assert report.totals["waste"] == "6.40"
    with storages["reports"].open(report.files["waste.csv"]) as f:
        rows = list(csv.DictReader(io.StringIO(f.read().decode())))
    assert [(r["sku"], r["qty"], r["value"], r["note"]) for r in rows] == [
        ("MILK", "2", "6.40", "Vencido"),
        ("", "2", "6.40", ""),
    ]
