"""A customer at the self-checkout, in a real browser set to Brazilian
Portuguese: a keyboard-wedge scanner types the code and Enter; the page sells
through the kiosk API and shows the receipt."""

import hashlib
import hmac
import json
import re
import urllib.request
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import Product
from sales.models import Sale
from tests.factories import PASSWORD, ProductFactory

PIN = "2468"
TIMES = "\N{MULTIPLICATION SIGN}"  # the receipt: 2 TIMES Coca-Cola


@pytest.fixture
def shelf(settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN
    return [
        ProductFactory(
            sku="DRK-001",
            barcode="7891000000014",
            name="Coca-Cola lata 350ml",
            price=Decimal("5.50"),
            stock=20,
        ),
        ProductFactory(
            sku="SNK-002", name="Batata chips 100g", price=Decimal("11.90"), stock=8
        ),
        ProductFactory(
            sku="BER-001",
            barcode="7891000000137",
            name="Heineken lata 350ml",
            price=Decimal("6.90"),
            stock=10,
            age_restricted=True,
        ),
    ]


def enrolled(page) -> None:
    """The device logs in once as its kiosk user and lands on the checkout."""
    page.goto("/kiosk/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/kiosk/$"))
    page.get_by_label("Usuário").fill("kiosk")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))


def scan(page, code: str) -> None:
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_customer_scans_searches_pays_and_sees_the_receipt(page, kiosk, shelf):
    enrolled(page)
    cart = page.locator("#cart li")

    scan(page, "7891000000014")
    expect(cart).to_have_count(1)  # the customer sees the line, then scans again
    scan(page, "7891000000014")
    expect(cart.nth(0).locator(".qty")).to_have_text("2")
    page.keyboard.type("batata")
    page.get_by_role("button", name=re.compile("Batata chips 100g")).click()

    expect(cart).to_have_count(2)
    expect(page.locator("#scan")).to_have_value("")
    expect(cart.nth(0).locator(".qty")).to_have_text("2")
    expect(page.locator("#total")).to_have_text("R$ 22,90")

    page.get_by_role("button", name="Finalizar e pagar").click()
    expect(page.locator("#payment-total")).to_have_text("R$ 22,90")
    page.get_by_role("button", name=re.compile("^Cartão de débito")).click()

    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text(f"2 {TIMES} Coca-Cola lata 350ml")
    expect(receipt).to_contain_text(f"1 {TIMES} Batata chips 100g")
    expect(page.locator("#receipt-total")).to_have_text("R$ 22,90")
    expect(page.locator("#payment-status")).to_have_text("Pagamento pendente")
    expect(receipt).to_contain_text("Pague na maquininha")
    sale = Sale.objects.get()
    assert (sale.channel, sale.payment, sale.payment_status) == (
        "kiosk",
        "debit",
        "pending",
    )
    assert page.locator("#receipt-number").text_content() == str(sale.pk)
    assert dict(Product.objects.values_list("sku", "stock")) == {
        "DRK-001": 18,
        "SNK-002": 7,
        "BER-001": 10,
    }

    # The customer paid at the terminal; the attendant confirms with the PIN.
    page.get_by_role("button", name="Atendente: confirmar o pagamento").click()
    dialog = page.get_by_role("dialog", name="Confirmar o pagamento")
    dialog.get_by_label("PIN do atendente").fill("1111")
    dialog.get_by_role("button", name="Pagamento recebido").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Este PIN não está certo. Tente de novo."
    )
    dialog.get_by_label("PIN do atendente").fill(PIN)
    dialog.get_by_role("button", name="Pagamento recebido").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#payment-status")).to_have_text("Pago. Obrigado!")
    expect(
        page.get_by_role("button", name="Atendente: confirmar o pagamento")
    ).to_be_hidden()
    sale.refresh_from_db()
    assert (sale.payment_status, sale.payment_confirmed_by) == ("paid", "attendant")

    page.get_by_role("button", name="Nova compra").click()
    expect(cart).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()


def test_an_age_restricted_item_stops_the_checkout_until_the_attendant_unlocks(
    page, kiosk, shelf
):
    enrolled(page)
    scan(page, "7891000000014")

    scan(page, "7891000000137")

    dialog = page.get_by_role("dialog", name="Chame o atendente")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Heineken lata 350ml")
    expect(page.locator("#cart li")).to_have_count(1)

    dialog.get_by_label("PIN do atendente").fill("1111")
    page.get_by_role("button", name="Liberar").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Este PIN não está certo. Tente de novo."
    )
    expect(dialog).to_be_visible()

    dialog.get_by_label("PIN do atendente").fill(PIN)
    page.get_by_role("button", name="Liberar").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#cart li")).to_have_count(2)
    expect(page.locator("#total")).to_have_text("R$ 12,40")

    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()

    expect(page.locator("#receipt")).to_contain_text(f"1 {TIMES} Heineken lata 350ml")
    expect(page.locator("#receipt")).to_contain_text("chame o atendente")
    assert Product.objects.get(sku="BER-001").stock == 9


def test_a_scan_made_before_the_catalogue_arrives_is_not_lost(page, kiosk, shelf):
    held = []
    page.route("**/kiosk/catalogue/", lambda route: held.append(route))
    enrolled(page)
    for _ in range(100):  # the page asks for its catalogue as it loads
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1

    scan(page, "7891000000014")
    held[0].continue_()

    expect(page.locator("#cart li")).to_have_count(1)
    expect(page.locator("#total")).to_have_text("R$ 5,50")


def test_two_scans_of_one_item_without_waiting_count_two(page, kiosk, shelf):
    enrolled(page)

    scan(page, "7891000000014")
    scan(page, "7891000000014")

    expect(page.locator("#cart li .qty")).to_have_text(["2"])
    expect(page.locator("#total")).to_have_text("R$ 11,00")


def test_a_scan_typed_while_the_one_before_lands_is_not_cut(page, kiosk, shelf):
    # Under load the catalogue (or the server) answers late: the first scan
    # lands in the cart while the scanner is half-way through the second.
    held = []
    page.route("**/kiosk/catalogue/", lambda route: held.append(route))
    enrolled(page)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)

    scan(page, "7891000000014")
    page.keyboard.type("789100")
    held[0].continue_()
    expect(page.locator("#cart li")).to_have_count(1)
    page.keyboard.type("0000014")
    page.keyboard.press("Enter")

    expect(page.locator("#cart li .qty")).to_have_text(["2"])
    expect(page.locator("#message")).to_be_hidden()


WEBHOOK_SECRET = "whsec-browser-0123456789"


def payment_service_confirms(live_server, sale_id: int, reference: str) -> int:
    """What a Pix payment service does once the customer paid: a signed POST."""
    body = json.dumps(
        {"sale": sale_id, "status": "paid", "reference": reference}
    ).encode()
    digest = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{live_server.url}/api/payments/webhook/",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": f"sha256={digest}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


def test_pix_shows_its_code_pending_then_paid_after_the_signed_webhook(
    page, kiosk, shelf, settings, live_server
):
    settings.PITSTOP_PIX_KEY = "pix@pitstop.example"
    settings.PITSTOP_PAYMENT_WEBHOOK_SECRET = WEBHOOK_SECRET
    enrolled(page)
    scan(page, "7891000000014")
    expect(page.locator("#cart li")).to_have_count(1)

    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Pix")).click()

    expect(page.locator("#payment-status")).to_have_text("Pagamento pendente")
    code = page.locator("#pix-code")
    expect(code).to_contain_text("br.gov.bcb.pix")
    expect(code).to_contain_text("54045.50")  # the amount, R$ 5,50
    expect(page.get_by_role("img", name="QR code Pix do total")).to_be_visible()
    sale = Sale.objects.get()
    assert (sale.payment, sale.payment_status) == ("pix", "pending")
    page.wait_for_timeout(2500)  # the page asks again: still pending
    expect(page.locator("#payment-status")).to_have_text("Pagamento pendente")

    assert payment_service_confirms(live_server, sale.pk, "E2E-PIX-1") == 200

    expect(page.locator("#payment-status")).to_have_text("Pago. Obrigado!")
    expect(code).to_be_hidden()
    sale.refresh_from_db()
    assert (sale.payment_status, sale.payment_reference) == ("paid", "E2E-PIX-1")

    # The receipt's QR links to the receipt page, for the customer's phone.
    link = page.locator("#receipt-url")
    expect(page.get_by_role("img", name="QR code deste recibo")).to_be_visible()
    phone = page.context.browser.new_page(locale="pt-BR")
    phone.goto(link.get_attribute("href"))
    expect(phone.locator("#payment-status")).to_contain_text("Pago")
    expect(phone.locator("#total")).to_have_text("R$ 5,50")
    phone.close()
