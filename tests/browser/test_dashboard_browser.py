"""The manager's dashboard in a real browser: it loads without a console
error, its charts draw, they follow the light and dark themes, and a phone
needs no sideways scrolling. Screenshots are kept under var/test-artifacts/
(and the test's tmp dir) to look at."""

import datetime
import re
import shutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

import reports.site
from alerts.models import Delivery
from inventory.models import Lot, Product
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from reports.models import Report
from sales.models import Return, Shift
from sales.returns import sale_return
from sales.shifts import shift_close, shift_open
from tests.factories import PASSWORD, ProductFactory, SupplierFactory
from tests.reports.conftest import at, sell

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
TODAY = datetime.date(2026, 11, 25)
NOW = at(TODAY, "16:20")


@pytest.fixture
def store(clerk, manager, monkeypatch):
    """Four weeks of a small store, seen on a Wednesday afternoon."""
    monkeypatch.setattr(reports.site, "timezone", SimpleNamespace(now=lambda: NOW))
    ProductFactory(sku="CAFE", name="Espresso", price=Decimal("6.50"), stock=900)
    ProductFactory(sku="COLA", name="Cola 350ml", price=Decimal("5.50"), stock=900)
    ProductFactory(
        sku="PAO",
        name="Pão de queijo",
        price=Decimal("4.00"),
        stock=45,
        reorder_point=5,
    )
    ProductFactory(
        sku="GELO", name="Ice 2kg", price=Decimal("9.90"), stock=8, reorder_point=10
    )
    for n in range(28, -1, -1):
        day = TODAY - datetime.timedelta(days=n)
        for hour in (7, 8, 12, 18) if n % 7 else (7, 8, 9, 12, 17, 18, 19):
            if n == 0 and hour >= 16:
                break
            sell(clerk, [("CAFE", 1 + n % 3), ("COLA", 1)], at(day, f"{hour}:15"))
    sell(clerk, [("PAO", 40)], at(TODAY - datetime.timedelta(days=3), "10:00"))
    yesterday = TODAY - datetime.timedelta(days=1)
    # Refunded at 15:00 today: a coffee bought this morning came back.
    sold = sell(clerk, [("CAFE", 2)], at(TODAY, "09:40"))
    back, _ = sale_return(
        sale_id=sold.pk, user=manager, lines=[("CAFE", 1)], restock=True
    )
    Return.objects.filter(pk=back.pk).update(created_at=at(TODAY, "15:00"))
    cola = Product.objects.get(sku="COLA")
    for supplier, status, expected in (
        (SupplierFactory(name="Atacado Central"), "draft", None),
        (SupplierFactory(name="Bebidas Sul"), "sent", TODAY - datetime.timedelta(3)),
    ):
        order = PurchaseOrder.objects.create(
            supplier=supplier, status=status, expected_on=expected
        )
        PurchaseOrderLine.objects.create(
            order=order, product=cola, ordered=48, unit_cost=Decimal("2.75")
        )
    shift = shift_open(clerk=clerk, opening_float=Decimal("150.00"))
    shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("145.00"))
    Shift.objects.filter(pk=shift.pk).update(
        opened_at=at(yesterday, "06:00"), closed_at=at(yesterday, "23:00")
    )
    Delivery.objects.create(key="events/low-stock/x.json", status="failed")
    milk = ProductFactory(sku="LEITE", name="Leite 1L", tracks_expiry=True)
    for expires_on, left in [(TODAY, 3), (TODAY - datetime.timedelta(days=1), 2)]:
        Lot.objects.create(
            product=milk, expires_on=expires_on, units_received=12, units_left=left
        )
    Report.objects.create(
        kind="daily",
        period=yesterday.isoformat(),
        period_start=yesterday,
        period_end=TODAY,
        status="done",
        files={
            name: f"reports/daily/{yesterday}/{name}"
            for name in ("sales.csv", "restock.csv", "report.pdf", "summary.json")
        },
    )


def open_dashboard(browser, live_server, **options):
    # A Brazilian browser, as the store's managers have.
    context = browser.new_context(base_url=live_server.url, locale="pt-BR", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []

    def console(message):
        # A missing icon shows here too: the page links ours (no /favicon.ico).
        if message.type == "error":
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/admin/")
    page.get_by_label("Usuário").fill("manager")
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page, errors


def keep(page, tmp_path, name: str) -> None:
    shot = tmp_path / name
    page.screenshot(path=shot, full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / name)


def colour(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")


def test_the_dashboard_draws_its_cards_and_charts(
    browser, live_server, store, tmp_path
):
    page, errors = open_dashboard(
        browser, live_server, viewport={"width": 1280, "height": 900}
    )

    expect(page.locator("#card-today #today-sales .figure")).to_have_text("5")
    expect(page.locator("#card-hours svg.chart .bars rect")).to_have_count(24)
    expect(page.locator("#card-hours svg.chart polyline")).to_have_count(1)
    expect(page.locator("#card-days svg.chart .bars rect")).to_have_count(28)
    expect(page.locator("#low-count")).to_have_text("2")
    expect(page.locator("#card-low tbody th").first).to_contain_text("Pão de queijo")
    expect(page.locator("#card-reports .files a")).to_have_count(4)
    expect(page.locator("#orders-drafts")).to_contain_text("1 rascunho para aprovar")
    expect(page.locator("#orders-drafts-total")).to_have_text("R$ 132,00")
    expect(page.locator("#orders-late")).to_contain_text("1 pedido atrasado")
    expect(page.locator("#shifts-off")).to_contain_text("-R$ 5,00")
    expect(page.locator("#failed-deliveries")).to_contain_text("1 envio de alerta")
    expect(page.locator("#card-today .note")).to_contain_text("R$ 6,50 reembolsados")
    expect(page.locator("#lots-expiring")).to_have_text("1")
    expect(page.locator("#lots-expired")).to_contain_text("1 lote vencido")
    expect(page.get_by_role("img", name=re.compile("^Vendas por hora"))).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("^Faturamento líquido por dia"))
    ).to_be_visible()
    heights = page.locator("#card-days svg.chart .bars rect").evaluate_all(
        "rects => rects.map(r => r.getBBox().height)"
    )
    assert min(heights) > 0, "every day had sales, so every bar has a height"
    keep(page, tmp_path, "dashboard-light.png")
    assert errors == []


def test_the_charts_follow_the_dark_theme(browser, live_server, store, tmp_path):
    light, _ = open_dashboard(browser, live_server, color_scheme="light")
    dark, errors = open_dashboard(
        browser,
        live_server,
        color_scheme="dark",
        viewport={"width": 1280, "height": 900},
    )

    for page in (light, dark):
        body = colour(page, "body", "backgroundColor")
        bar = colour(page, "#card-days svg.chart rect", "fill")
        text = colour(page, "#card-days svg.chart text", "fill")
        assert bar != body and text != body
    assert colour(dark, "body", "backgroundColor") != colour(
        light, "body", "backgroundColor"
    )
    assert colour(dark, "#card-days svg.chart text", "fill") != colour(
        light, "#card-days svg.chart text", "fill"
    )
    keep(dark, tmp_path, "dashboard-dark.png")
    assert errors == []


def test_on_a_phone_the_dashboard_needs_no_sideways_scrolling(
    browser, live_server, store, tmp_path
):
    page, errors = open_dashboard(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )

    expect(page.locator("#card-hours svg.chart .bars rect")).to_have_count(24)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    chart = page.locator("#card-days svg.chart").bounding_box()
    assert chart["width"] > 300
    keep(page, tmp_path, "dashboard-phone.png")
    assert errors == []
