"""The admin's home page is the manager's dashboard: what a manager sees, the
lists its cards link to, who is sent elsewhere, and what it costs in queries."""

import datetime
import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import reports.site
from alerts.models import Delivery
from inventory.models import Lot, Product
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from reports.models import Report
from sales.models import Return, Sale, Shift
from sales.returns import sale_return
from sales.shifts import shift_close, shift_open
from tests.factories import ProductFactory, SupplierFactory, UserFactory
from tests.reports.conftest import at, sell

# English pages here (the Portuguese one is the last test).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = datetime.date(2026, 11, 25)
NOW = at(TODAY, "12:00")
# The dashboard's page, whatever its data: session, user, the user's and the
# groups' permissions, each card's few aggregate queries (today and by hour
# 1, the 28 days 1, low stock 2, purchase orders 3, lots 2, shifts 2,
# reports, failed alerts and deliveries 5), the admin's recent actions, and
# the session saved again (its idle timeout: a savepoint, an update, a
# release).
QUERIES = 24


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def store_clock(monkeypatch):
    """The dashboard's page is for NOW: the site reads the clock through its
    module's `timezone`, the rest of Django keeps the real one."""
    monkeypatch.setattr(reports.site, "timezone", SimpleNamespace(now=lambda: NOW))


@pytest.fixture
def store(clerk):
    ProductFactory(sku="COLA", name="Cola 350ml", price=Decimal("5.50"), stock=100)
    ProductFactory(sku="CHIPS", name="Ruffles 96g", price=Decimal("11.90"), stock=20)
    ProductFactory(
        sku="WATER", name="Água 500ml", price=Decimal("3.50"), stock=30, reorder_point=3
    )
    sell(clerk, [("COLA", 2)], at(TODAY, "08:30"))
    sell(clerk, [("CHIPS", 1)], at(TODAY, "10:00"))
    sell(clerk, [("COLA", 1)], at(days_ago(7), "09:00"))
    sell(clerk, [("COLA", 4)], at(days_ago(7), "18:00"))
    sell(clerk, [("WATER", 27)], at(days_ago(5), "15:00"))
    Report.objects.create(
        kind="daily",
        period=days_ago(2).isoformat(),
        period_start=days_ago(2),
        period_end=days_ago(1),
        status="failed",
        error="storage down",
    )
    Report.objects.create(
        kind="daily",
        period=days_ago(1).isoformat(),
        period_start=days_ago(1),
        period_end=TODAY,
        status="done",
        files={"report.pdf": f"reports/daily/{days_ago(1)}/report.pdf"},
    )
    return clerk


def card(response, name: str) -> str:
    found = re.search(
        rf'<section [^>]*id="card-{name}".*?</section>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no {name} card"
    return found[0]


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def link_of(fragment: str) -> str:
    return html.unescape(re.search(r'<h2[^>]*><a href="([^"]+)"', fragment)[1])


def test_a_manager_sees_today_against_last_week(manager_client, store):
    today = text_of(card(manager_client.get("/admin/"), "today"))

    assert "Sales 2 ▲ up +100% last week 1" in today
    assert "Revenue R$ 22.90 ▲ up +316% last week R$ 5.50" in today
    assert "Average ticket R$ 11.45 ▲ up +108% last week R$ 5.50" in today
    assert "Compared with Wednesday 18 Nov up to 12:00." in today


def test_the_charts_are_svg_with_a_text_alternative(manager_client, store):
    response = manager_client.get("/admin/")

    hours = card(response, "hours")
    assert hours.count("<rect ") == 24
    assert re.search(r'<svg class="chart"[^>]*role="img"[^>]*aria-labelledby', hours)
    assert "<polyline " in hours
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", hours, re.S)
    assert [text_of(r).strip() for r in rows] == [
        "8h 1 · R$ 11.00 0 · R$ 0.00",
        "9h 0 · R$ 0.00 1 · R$ 5.50",
        "10h 1 · R$ 11.90 0 · R$ 0.00",
        "18h 0 · R$ 0.00 1 · R$ 22.00",
    ]
    days = card(response, "days")
    assert days.count("<rect ") == 28
    assert "R$ 122.00 from 28 Oct to 24 Nov" in text_of(days)
    assert "Fri 20 Nov 1 R$ 0.00 R$ 94.50" in text_of(days)


def test_low_stock_card_names_the_first_to_run_out(manager_client, store):
    low = text_of(card(manager_client.get("/admin/"), "low"))

    assert "1 product at or below its reorder point" in low
    assert "Água 500ml WATER 3 / 3 3.1" in low


def test_reports_card_links_the_last_report_files_and_the_failures(
    manager_client, store
):
    reports_card = card(manager_client.get("/admin/"), "reports")

    assert "Tuesday 24 Nov Done" in text_of(reports_card)
    assert '<a href="/reports/files/reports/daily/2026-11-24/report.pdf">' in (
        reports_card
    )
    assert "1 report failed" in text_of(reports_card)
    assert "is missing" not in reports_card


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("today", "2 sales"),
        ("hours", "2 sales"),
        ("days", "3 sales"),
        ("low", "1 product"),
        ("orders", "2 purchase orders"),
        ("lots", "2 lots"),
        ("shifts", "2 shifts"),
        ("reports", "2 reports"),
    ],
)
def test_each_card_links_to_the_filtered_list_behind_it(
    manager_client, back_office, name, shown
):
    url = link_of(card(manager_client.get("/admin/"), name))

    listed = manager_client.get(url)

    assert listed.status_code == 200, url
    assert re.search(rf"\b{shown}\b", text_of(listed.content.decode())), url


@pytest.fixture
def back_office(store, manager):
    """The rest of the store's work: orders to approve and late, yesterday's
    shifts, a refund today, two alerts that could not be sent."""
    drinks = SupplierFactory(name="Bebidas Sul")
    snacks = SupplierFactory(name="Atacado Central")
    cola = Product.objects.get(sku="COLA")
    order(drinks, "draft", [(cola, 24, 0, "2.50")])
    order(snacks, "draft", [(cola, 10, 0, "3.00")])
    late = order(drinks, "sent", [(cola, 48, 0, "2.50")], expected_on=days_ago(4))
    order(snacks, "sent", [(cola, 12, 0, "2.50")], expected_on=TODAY)
    ana, bia = UserFactory(username="ana"), UserFactory(username="bia")
    cash_up(ana, at(days_ago(1), "06:00"), at(days_ago(1), "14:00"), "100.00")
    cash_up(bia, at(days_ago(1), "14:00"), at(days_ago(1), "22:00"), "92.50")
    sold = Sale.objects.get(total=Decimal("11.90"))
    back, _ = sale_return(
        sale_id=sold.pk, user=manager, lines=[("CHIPS", 1)], restock=True
    )
    Return.objects.filter(pk=back.pk).update(created_at=at(TODAY, "11:00"))
    for n in range(2):
        Delivery.objects.create(key=f"events/low-stock/{n}.json", status="failed")
    Delivery.objects.create(key="events/low-stock/sent.json", status="sent")
    milk = ProductFactory(sku="MILK", name="Leite 1L", tracks_expiry=True)
    for expires_on, left in [
        (TODAY, 4),
        (TODAY + datetime.timedelta(days=2), 6),
        (TODAY + datetime.timedelta(days=3), 9),
        (days_ago(1), 2),
    ]:
        Lot.objects.create(
            product=milk, expires_on=expires_on, units_received=12, units_left=left
        )
    return late


def order(supplier, status, lines, *, expected_on=None) -> PurchaseOrder:
    made = PurchaseOrder.objects.create(
        supplier=supplier, status=status, expected_on=expected_on
    )
    for product, ordered, received, cost in lines:
        PurchaseOrderLine.objects.create(
            order=made,
            product=product,
            ordered=ordered,
            received=received,
            unit_cost=Decimal(cost),
        )
    return made


def cash_up(clerk, opened, closed, counted: str) -> Shift:
    """A shift opened with R$ 100.00 and closed with `counted`, then moved."""
    shift = shift_open(clerk=clerk, opening_float=Decimal("100.00"))
    shift_close(shift_id=shift.pk, user=clerk, counted=Decimal(counted))
    Shift.objects.filter(pk=shift.pk).update(opened_at=opened, closed_at=closed)
    return shift


def test_today_is_net_of_the_refunds_made_today_and_says_so(
    manager_client, back_office
):
    today = text_of(card(manager_client.get("/admin/"), "today"))

    assert "Revenue R$ 11.00 ▲ up +100% last week R$ 5.50" in today
    assert "Average ticket R$ 5.50 = 0% last week R$ 5.50" in today
    assert (
        "Revenue is net: completed sales less the refunds made the same day,"
        " whenever the sale was (R$ 11.90 refunded today)."
    ) in today


def test_orders_card_shows_drafts_to_approve_and_late_orders(
    manager_client, back_office
):
    orders = card(manager_client.get("/admin/"), "orders")

    assert "2 drafts to approve · R$ 90.00" in text_of(orders)
    assert "1 order late against its expected date" in text_of(orders)
    assert f"{back_office.number} Bebidas Sul 21 Nov 4 days late 48" in text_of(orders)


def test_shifts_card_shows_yesterdays_cash_ups_and_their_differences(
    manager_client, back_office
):
    shifts = text_of(card(manager_client.get("/admin/"), "shifts"))

    assert "2 shifts closed on Tuesday 24 Nov" in shifts
    assert "1 did not balance: -R$ 7.50 in all" in shifts
    assert "bia 14:00\N{EN DASH}22:00 R$ 100.00 R$ 92.50 -R$ 7.50" in shifts
    assert "ana 06:00\N{EN DASH}14:00 R$ 100.00 R$ 100.00 R$ 0.00" in shifts


def test_lots_card_shows_what_expires_within_two_days_and_what_expired(
    manager_client, back_office
):
    lots = text_of(card(manager_client.get("/admin/"), "lots"))

    assert "2 lots expire by Friday 27 Nov (10 units)" in lots
    assert "Today 1 4 Tomorrow 0 0 Friday 27 Nov 1 6" in lots
    assert "1 expired lot still in stock: 2 units to write off" in lots
    assert "Leite 1L MILK 24 Nov 2 Leite 1L MILK 25 Nov 4" in lots


def test_reports_card_counts_the_failed_alert_deliveries(manager_client, back_office):
    reports_card = card(manager_client.get("/admin/"), "reports")

    assert "2 alert deliveries failed" in text_of(reports_card)


def links_in(fragment: str, marker: str) -> str:
    return html.unescape(
        re.search(rf'<a href="([^"]+)"[^>]*id="{marker}"', fragment)[1]
    )


@pytest.mark.parametrize(
    ("name", "marker", "shown"),
    [
        ("orders", "orders-drafts", r"2 purchase orders"),
        ("orders", "orders-late", r"1 purchase order\b"),
        ("reports", "failed-deliveries", r"2 alert deliveries"),
        ("lots", "lots-expired", r"1 lot\b"),
    ],
)
def test_the_new_cards_link_to_their_filtered_lists(
    manager_client, back_office, name, marker, shown
):
    url = links_in(card(manager_client.get("/admin/"), name), marker)

    listed = manager_client.get(url)

    assert listed.status_code == 200, url
    assert re.search(shown, text_of(listed.content.decode())), url


def test_the_app_list_stays_below_the_cards(manager_client, store):
    page = manager_client.get("/admin/").content.decode()

    assert page.index('id="card-reports"') < page.index('class="app-inventory')


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    manager_client, back_office, clerk, manager, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        manager_client.get("/admin/")

    for i in range(30):
        ProductFactory(sku=f"LOW-{i}", stock=5, reorder_point=10 + i)
        sell(clerk, [(f"LOW-{i}", 1), ("COLA", 1)], at(days_ago(i % 28), "12:00"))
        sell(clerk, [(f"LOW-{i}", 1)], at(TODAY, f"{i % 12:02d}:30"))
        Report.objects.create(
            kind="daily",
            period=days_ago(i + 3).isoformat(),
            period_start=days_ago(i + 3),
            period_end=days_ago(i + 2),
            status="failed",
        )
        supplier = SupplierFactory(name=f"Supplier {i}")
        low = Product.objects.get(sku=f"LOW-{i}")
        order(supplier, "draft", [(low, 5, 0, "1.00")])
        order(supplier, "partial", [(low, 5, 1, "1.00")], expected_on=days_ago(1))
        worker = UserFactory(username=f"clerk-{i}")
        cash_up(worker, at(days_ago(1), "08:00"), at(days_ago(1), "20:00"), "99.00")
        Delivery.objects.create(key=f"events/more/{i}.json", status="failed")
        Lot.objects.create(
            product=low, expires_on=days_ago(i % 3), units_received=5, units_left=1
        )
        sold = sell(clerk, [("COLA", 1)], at(days_ago(i % 28), "13:00"))
        back, _ = sale_return(
            sale_id=sold.pk, user=manager, lines=[("COLA", 1)], restock=True
        )
        Return.objects.filter(pk=back.pk).update(created_at=at(days_ago(i), "14:00"))

    with CaptureQueriesContext(connection) as more:
        response = manager_client.get("/admin/")
    assert len(more) == QUERIES
    assert "31 products at or below their reorder point" in text_of(
        card(response, "low")
    )
    assert "31 orders late" in text_of(card(response, "orders"))
    assert "32 shifts closed" in text_of(card(response, "shifts"))
    assert "32 alert deliveries failed" in text_of(card(response, "reports"))
    assert "21 expired lots still in stock" in text_of(card(response, "lots"))


def test_a_clerk_who_reaches_the_admin_is_sent_to_the_sale_form(clerk_client):
    response = clerk_client.get("/admin/", follow=True)

    assert response.redirect_chain[-1] == ("/sales/new/", 302)
    assert response.status_code == 200


def test_staff_without_a_managers_permissions_sees_no_card(client, roles):
    client.force_login(UserFactory(username="helper", is_staff=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert 'class="module card' not in response.content.decode()


# Our English on the dashboard: none of it may show in Portuguese.
ENGLISH = [
    "Today so far",
    "Sales by hour",
    "Revenue",
    "Average ticket",
    "last week",
    "Compared with",
    "As a table",
    "Low stock",
    "First to run out",
    "Days of cover",
    "Daily report",
    "report failed",
    "Purchase orders",
    "to approve",
    "late against",
    "Shifts closed",
    "did not balance",
    "alert deliveries failed",
    "Revenue is net",
    "Lots expiring",
    "expired lot",
]


def test_a_brazilian_browser_gets_the_dashboard_in_portuguese(
    manager_client, back_office
):
    response = manager_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")

    page = text_of(response.content.decode())

    assert [words for words in ENGLISH if words in page] == []
    assert "Hoje até agora" in page
    assert "Faturamento R$ 11,00 ▲ alta +100% semana passada R$ 5,50" in page
    assert "(R$ 11,90 reembolsados hoje)" in page
    assert "2 rascunhos para aprovar · R$ 90,00" in page
    assert "1 pedido atrasado em relação à data prevista" in page
    assert "4 dias de atraso" in page
    assert "2 turnos fechados em Terça-feira 24 Nov" in page
    assert "1 não fechou: -R$ 7,50 no total" in page
    assert "2 envios de alerta falharam" in page
    assert "2 lotes vencem até Sexta-feira 27 Nov (10 unidades)" in page
    assert "1 lote vencido ainda em estoque: 2 unidades para dar baixa" in page
    assert "Comparado com Quarta-feira 18 Nov até 12:00." in page
    assert "R$ 122,00 de 28 Out a 24 Nov" in page  # nothing refunded then
    assert "1 produto no ponto de pedido ou abaixo dele" in page
    assert "Água 500ml WATER 3 / 3 3,1" in page
    assert "1 relatório falhou" in page
