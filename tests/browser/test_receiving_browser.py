"""A manager at the back door, in a real browser (in Portuguese, the store's
language): the receiving page counts scans line by line, offers an unordered
product only with "add to order" ("Incluir no pedido"), and books the
delivery."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import Product
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from tests.factories import PASSWORD, ProductFactory, SupplierFactory


@pytest.fixture
def sent_order():
    supplier = SupplierFactory(name="Bebidas Sul", email="pedidos@bebidassul.example")
    order = PurchaseOrder.objects.create(supplier=supplier, status="sent")
    for sku, name, qty in (("COLA", "Cola 350ml", 24), ("WATER", "Água 500ml", 12)):
        product = ProductFactory(sku=sku, name=name, supplier=supplier, stock=2)
        PurchaseOrderLine.objects.create(
            order=order, product=product, ordered=qty, unit_cost="2.50"
        )
    ProductFactory(sku="CHIPS", name="Ruffles", stock=5)
    return order


def scan(page, code: str) -> None:
    box = page.locator("#scan")
    box.fill(code)
    box.press("Enter")


def test_a_manager_scans_a_partial_delivery_and_books_it(page, manager, sent_order):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Usuário").fill("manager")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"/admin/purchasing/purchaseorder/{sent_order.pk}/change/")
    page.get_by_role("link", name="Receber uma entrega").click()
    expect(page).to_have_url(re.compile(rf"/{sent_order.pk}/receive/$"))

    for _ in range(3):
        scan(page, "COLA")
    scan(page, "CHIPS")
    expect(page.locator('#lines input[data-sku="COLA"]')).to_have_value("3")
    expect(page.locator("#scan-message")).to_contain_text("não está neste pedido")
    expect(page.locator("#id_extra_sku")).to_have_value("CHIPS")
    page.locator('#lines input[data-sku="WATER"]').fill("12")
    page.get_by_role("button", name="Registrar a entrega").click()

    expect(page.locator(".errornote")).to_contain_text(
        f"CHIPS não está em {sent_order.number}."
    )
    assert Product.objects.get(sku="COLA").stock == 2  # nothing booked yet

    page.get_by_label("Incluir no pedido").check()
    page.get_by_role("button", name="Registrar a entrega").click()

    expect(page.locator(".messagelist")).to_contain_text(
        f"16 unidade(s) recebida(s) em {sent_order.number}: agora recebido em parte."
    )
    stock = dict(Product.objects.values_list("sku", "stock"))
    assert stock == {"COLA": 5, "WATER": 14, "CHIPS": 6}
    sent_order.refresh_from_db()
    assert sent_order.status == "partial"
