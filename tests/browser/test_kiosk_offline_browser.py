"""A kiosk whose network drops keeps selling, in a real browser: sales are
queued on the device and reach the server once each when it comes back; a
sale the server refuses then is shown to the attendant; the service worker
serves the page when the server is out of reach."""

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from inventory.models import Product, StockMovement
from kiosk.models import Kiosk
from sales.models import Sale, SaleLine
from sales.services import sale_create
from tests.browser.test_kiosk_browser import PIN, enrolled, scan
from tests.factories import UserFactory

TIMES = "\N{MULTIPLICATION SIGN}"


@pytest.fixture
def shelf(settings):
    settings.PITSTOP_ATTENDANT_PIN = PIN
    return [
        Product.objects.create(
            sku="DRK-001",
            barcode="7891000000014",
            name="Coca-Cola lata 350ml",
            price=Decimal("5.50"),
            cost=Decimal("3.00"),
            stock=0,
        ),
        Product.objects.create(
            sku="SNK-002",
            barcode="7891000000021",
            name="Batata chips 100g",
            price=Decimal("11.90"),
            cost=Decimal("7.00"),
            stock=0,
        ),
        Product.objects.create(
            sku="WAT-003",
            barcode="7891000000038",
            name="Água mineral 500ml",
            price=Decimal("3.00"),
            cost=Decimal("1.00"),
            stock=0,
        ),
    ]


@pytest.fixture
def stocked(shelf):
    from inventory.services import stock_count

    stock_count(
        counts={shelf[0].pk: 20, shelf[1].pk: 8, shelf[2].pk: 5}, note="opening"
    )
    return shelf


def buy_offline(page, *codes: str) -> str:
    """Scan each code (waiting for the cart to show it, as a customer does),
    pay, read the offline receipt's number, start a new purchase."""
    cart = page.locator("#cart")
    for scanned, code in enumerate(codes, start=1):
        scan(page, code)
        expect(cart).to_contain_text(re.compile(r"\S"))
        expect(page.locator("#cart .qty")).to_have_text(_quantities(codes[:scanned]))
    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()
    expect(page.locator("#receipt-offline")).to_be_visible()
    number = page.locator("#receipt-number").text_content()
    page.get_by_role("button", name="Nova compra").click()
    return number


def _quantities(codes) -> list[str]:
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return [str(n) for n in counts.values()]


def ledger_agrees() -> None:
    for product in Product.objects.all():
        moved = product.movements.aggregate(s=Sum("delta"))["s"]
        assert product.stock == moved, product.sku


def test_three_sales_made_offline_reach_the_server_once_each(page, kiosk, stocked):
    enrolled(page)
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    page.context.set_offline(True)

    codes = [
        buy_offline(page, "7891000000014", "7891000000014"),
        buy_offline(page, "7891000000021"),
        buy_offline(page, "7891000000014"),
    ]

    status = page.locator("#offline-status")
    expect(status).to_contain_text("3 venda(s)")
    assert not Sale.objects.exists()
    assert len(set(codes)) == 3 and all(re.fullmatch(r"[0-9A-F]{6}", c) for c in codes)

    page.context.set_offline(False)

    expect(status).to_be_hidden(timeout=30_000)
    sales = list(Sale.objects.order_by("pk"))
    assert len(sales) == 3
    assert [s.idempotency_key[-6:].upper() for s in sales] == codes
    assert [s.total for s in sales] == [
        Decimal("11.00"),
        Decimal("11.90"),
        Decimal("5.50"),
    ]
    assert {s.channel for s in sales} == {"kiosk"}
    sold = dict(
        SaleLine.objects.values_list("product__sku").annotate(n=Sum("quantity"))
    )
    assert sold == {"DRK-001": 3, "SNK-002": 1}
    assert dict(Product.objects.values_list("sku", "stock")) == {
        "DRK-001": 17,
        "SNK-002": 7,
        "WAT-003": 5,
    }
    assert StockMovement.objects.filter(reason="sale").count() == 3
    ledger_agrees()
    kiosk_row = Kiosk.objects.get(user=kiosk)
    assert kiosk_row.queued == 0 and kiosk_row.last_sync_at is not None


def test_a_queued_sale_the_server_refuses_on_sync_waits_for_the_attendant(
    page, kiosk, stocked
):
    enrolled(page)
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    page.context.set_offline(True)
    no_stock = buy_offline(page, "7891000000014", "7891000000014")
    sold = buy_offline(page, "7891000000021")
    repriced = buy_offline(page, "7891000000038")
    # Meanwhile, at the counter: all but one can, and a new price for water.
    sale_create(clerk=UserFactory(), lines=[("DRK-001", 19)])
    Product.objects.filter(sku="WAT-003").update(price=Decimal("3.50"))

    page.context.set_offline(False)

    bar = page.locator("#refused-bar")
    expect(bar).to_contain_text("2 venda(s) feita(s) sem conexão", timeout=30_000)
    expect(page.locator("#offline-status")).to_be_hidden()
    kiosk_sales = Sale.objects.filter(channel="kiosk")
    assert [s.idempotency_key[-6:].upper() for s in kiosk_sales] == [sold]
    assert dict(Product.objects.values_list("sku", "stock")) == {
        "DRK-001": 1,
        "SNK-002": 7,
        "WAT-003": 5,
    }
    ledger_agrees()

    page.get_by_role("button", name="Atendente: ver vendas").click()
    dialog = page.get_by_role(
        "dialog", name="Vendas sem conexão que o servidor recusou"
    )
    items = dialog.locator("#refused-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(f"Venda sem conexão {no_stock}")
    expect(items.nth(0)).to_contain_text(f"2 {TIMES} Coca-Cola lata 350ml")
    expect(items.nth(0)).to_contain_text("R$ 11,00")
    expect(items.nth(0).locator(".why")).to_contain_text("DRK-001")
    expect(items.nth(1)).to_contain_text(f"Venda sem conexão {repriced}")
    expect(items.nth(1).locator(".why")).to_have_text(
        "O preço de Água mineral 500ml agora é R$ 3,50; o quiosque mostrou R$ 3,00."
    )

    page.get_by_label("Atendente: seu PIN para limpar a lista").fill("1111")
    page.get_by_role("button", name="Limpar a lista").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Este PIN não está certo. Tente de novo."
    )
    expect(items).to_have_count(2)

    page.get_by_label("Atendente: seu PIN para limpar a lista").fill(PIN)
    page.get_by_role("button", name="Limpar a lista").click()
    expect(dialog).to_be_hidden()
    expect(bar).to_be_hidden()
    page.reload()
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    expect(bar).to_be_hidden()
    assert Sale.objects.count() == 2


def test_the_service_worker_opens_the_page_and_keeps_its_queue_offline(
    page, kiosk, stocked
):
    enrolled(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    # Offline for the worker too: what it serves now comes from its cache.
    (worker,) = page.context.service_workers
    assert worker.evaluate(
        "fetch('/kiosk/').then(() => 'fetched', () => 'failed')"
    ) == ("failed")

    answer = page.reload()

    assert answer.from_service_worker and answer.ok
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    number = buy_offline(page, "7891000000021", "7891000000021")
    page.reload()
    expect(page.locator("#offline-status")).to_contain_text("1 venda(s)")
    assert not Sale.objects.exists()

    page.context.set_offline(False)

    expect(page.locator("#offline-status")).to_be_hidden(timeout=30_000)
    sale = Sale.objects.get()
    assert sale.idempotency_key[-6:].upper() == number
    assert Product.objects.get(sku="SNK-002").stock == 6
    ledger_agrees()


LIMIT = "Este quiosque está sem o servidor da loja há tempo demais."


def test_past_the_offline_count_the_kiosk_asks_for_the_attendant(
    page, kiosk, stocked, settings
):
    settings.PITSTOP_KIOSK_OFFLINE_MAX_SALES = 2
    enrolled(page)
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    page.context.set_offline(True)
    buy_offline(page, "7891000000021")
    buy_offline(page, "7891000000021")

    scan(page, "7891000000014")
    expect(page.locator("#cart li")).to_have_count(1)
    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()

    expect(page.locator("#message")).to_contain_text(LIMIT)
    expect(page.locator("#receipt")).to_be_hidden()
    expect(page.locator("#cart li")).to_have_count(1)  # nothing sold, nothing kept
    expect(page.locator("#offline-status")).to_contain_text(LIMIT)

    page.context.set_offline(False)

    expect(page.locator("#offline-status")).to_be_hidden(timeout=30_000)
    assert Sale.objects.count() == 2
    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()
    expect(page.locator("#receipt-offline")).to_be_hidden()
    expect(page.locator("#receipt")).to_contain_text(f"1 {TIMES} Coca-Cola")
    assert Sale.objects.count() == 3


def test_past_the_offline_minutes_the_kiosk_asks_for_the_attendant(
    page, kiosk, stocked, settings
):
    settings.PITSTOP_KIOSK_OFFLINE_MAX_MINUTES = 30
    page.clock.install()
    enrolled(page)
    expect(page.locator("#total")).to_have_text("R$ 0,00")
    page.context.set_offline(True)
    buy_offline(page, "7891000000021")
    page.clock.fast_forward("29:00")
    buy_offline(page, "7891000000021")
    page.clock.fast_forward("02:00")

    scan(page, "7891000000014")
    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()

    expect(page.locator("#message")).to_contain_text(LIMIT)
    expect(page.locator("#receipt")).to_be_hidden()
    assert not Sale.objects.exists()


def test_a_price_changed_since_the_page_read_it_is_shown_before_selling(
    page, kiosk, stocked
):
    enrolled(page)
    scan(page, "7891000000021")
    expect(page.locator("#total")).to_have_text("R$ 11,90")
    Product.objects.filter(sku="SNK-002").update(price=Decimal("12.90"))

    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()

    expect(page.locator("#message")).to_have_text(
        "O preço de Batata chips 100g agora é R$ 12,90; o quiosque mostrou R$ 11,90."
    )
    expect(page.locator("#total")).to_have_text("R$ 12,90")
    assert not Sale.objects.exists()
    page.get_by_role("button", name="Finalizar e pagar").click()
    page.get_by_role("button", name=re.compile("^Dinheiro")).click()
    expect(page.locator("#receipt-total")).to_have_text("R$ 12,90")
    assert Sale.objects.get().total == Decimal("12.90")
