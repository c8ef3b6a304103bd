"""A clerk at the counter, in a real browser set to Brazilian Portuguese (the
store's language): the scan box behaves like a keyboard-wedge barcode scanner
expects (type the code, Enter, ready again)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import Product
from sales.models import Sale
from tests.factories import PASSWORD, ProductFactory


@pytest.fixture
def shelf():
    return [
        ProductFactory(
            sku="DRK-001",
            barcode="7891000000014",
            name="Coca-Cola 350ml can",
            price=Decimal("5.50"),
            stock=20,
        ),
        ProductFactory(
            sku="SNK-002",
            barcode="7891000000021",
            name="Potato chips 100g",
            price=Decimal("11.90"),
            stock=8,
        ),
        ProductFactory(
            sku="CHO-003",
            name="Dark chocolate 80g",
            price=Decimal("9.00"),
            stock=2,
            reorder_point=1,
        ),
    ]


def log_in(page, username: str) -> None:
    page.goto("/sales/new/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/sales/new/$"))
    page.get_by_label("Usuário").fill(username)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page).to_have_url(re.compile(r"/sales/new/$"))


def scan(page, code: str) -> None:
    """What a wedge scanner does: type into the focused box, press Enter."""
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_clerk_logs_in_scans_two_products_and_finishes_the_sale(page, clerk, shelf):
    log_in(page, "clerk")
    lines = page.locator("#lines tbody tr[data-sku]")

    scan(page, "7891000000014")
    expect(lines).to_have_count(1)
    scan(page, "SNK-002")
    expect(lines).to_have_count(2)
    scan(page, "7891000000014")

    expect(lines.nth(0)).to_contain_text("Coca-Cola 350ml can")
    expect(lines.nth(0).locator("td").nth(1)).to_have_text("2")
    expect(lines.nth(1)).to_contain_text("Potato chips 100g")
    expect(page.locator("#total")).to_have_text("R$ 22,90")
    expect(page.locator("#id_code")).to_be_focused()

    page.get_by_role("button", name="Cartão de débito").click()

    expect(page).to_have_url(re.compile(r"/sales/\d+/$"))
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Pit Stop")
    expect(receipt).to_contain_text("Comprovante de venda")
    expect(receipt).to_contain_text("Coca-Cola 350ml can")
    expect(receipt).to_contain_text("Potato chips 100g")
    expect(receipt.locator("#total")).to_have_text("R$ 22,90")
    expect(receipt.locator("#payment-method")).to_have_text("Cartão de débito")
    sale = Sale.objects.get()
    assert page.url.endswith(f"/sales/{sale.pk}/")
    assert dict(Product.objects.values_list("sku", "stock")) == {
        "DRK-001": 18,
        "SNK-002": 7,
        "CHO-003": 2,
    }


def test_scanning_more_than_is_in_stock_shows_the_error_and_keeps_the_other_line(
    page, clerk, shelf
):
    log_in(page, "clerk")
    scan(page, "DRK-001")
    page.get_by_label("Quantidade").fill("3")
    page.locator("#id_code").focus()

    scan(page, "CHO-003")

    expect(page.get_by_role("alert")).to_have_text(
        "Estoque insuficiente de Dark chocolate 80g (CHO-003): 2 em estoque."
    )
    lines = page.locator("#lines tbody tr[data-sku]")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Coca-Cola 350ml can")
    expect(page.locator("#total")).to_have_text("R$ 5,50")
    expect(page.locator("#id_code")).to_be_focused()
    expect(page.locator("#id_code")).to_have_value("")
    assert Sale.objects.count() == 0
