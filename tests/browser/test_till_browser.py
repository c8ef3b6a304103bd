"""A clerk's day at the till in a real browser, in the store's Portuguese: the
first cash sale opens the shift with the float, the change shows as the cash
is typed, and closing the shift shows expected, counted and difference."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sales.models import Sale, Shift
from tests.browser.test_sale_form_browser import log_in, scan
from tests.factories import ProductFactory


@pytest.fixture
def shelf():
    return ProductFactory(
        sku="DRK-001", name="Coca-Cola 350ml can", price=Decimal("5.50"), stock=20
    )


def test_a_clerk_sells_for_cash_sees_the_change_and_closes_the_shift(
    page, clerk, shelf
):
    log_in(page, "clerk")
    scan(page, "DRK-001")
    page.get_by_label("Quantidade").fill("3")
    page.locator("#id_code").focus()
    scan(page, "DRK-001")  # 4 cans: R$ 22.00
    expect(page.locator("#total")).to_have_text("R$ 22,00")

    page.get_by_label("Fundo de troco").fill("100,00")
    cash = page.get_by_label("Valor recebido")
    cash.fill("20")
    expect(page.locator("#change")).to_have_text("Faltam R$ 2,00")
    cash.fill("50,00")
    expect(page.locator("#change")).to_have_text("Troco: R$ 28,00")
    page.get_by_role("button", name="Dinheiro", exact=True).click()

    expect(page).to_have_url(re.compile(r"/sales/\d+/$"))
    receipt = page.locator("#receipt")
    expect(receipt.locator("#payment-method")).to_have_text("Dinheiro")
    expect(receipt.locator("#tendered")).to_have_text("R$ 50,00")
    expect(receipt.locator("#change")).to_have_text("R$ 28,00")
    sale = Sale.objects.get()
    assert (sale.payment, sale.cash_tendered) == ("cash", Decimal("50.00"))

    page.get_by_role("link", name="Turno").click()
    expect(page.get_by_role("heading", name="Fechar o turno")).to_be_visible()
    page.get_by_label("Dinheiro contado").fill("117,00")
    page.get_by_role("button", name="Fechar o turno").click()

    expect(page).to_have_url(re.compile(r"/sales/shifts/\d+/$"))
    expect(page.locator("#expected")).to_have_text("R$ 122,00")
    expect(page.locator("#counted")).to_have_text("R$ 117,00")
    expect(page.locator("#difference")).to_have_text("-R$ 5,00")
    shift = Shift.objects.get()
    assert (shift.is_open, shift.difference) == (False, Decimal("-5.00"))
    assert sale.shift == shift
