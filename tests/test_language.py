"""The store speaks Brazilian Portuguese by default: pages, admin, PDF and
e-mails, money as R$ 1.234,56 and dates as 29/11/2026; a browser that asks
for English (Accept-Language, or the language switch) gets English; machine
fields stay English."""

import ast
import datetime
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from alerts.models import Recipient
from inventory.exceptions import ImportRejected
from inventory.importing import products_import
from inventory.suppliers_import import suppliers_import
from pitstop.money import money
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from reports.pdf import report_pdf
from reports.periods import day_period
from reports.services import report_build
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory, SupplierFactory
from tests.reports.pdftext import pdf_text
from tests.reports.test_pdf import LOW, SOLD, report

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW = "/sales/new/"
# Our own English, as it read before the store spoke Portuguese: none of it
# may show on a page served in pt-BR (Django's own admin words it translates).
ENGLISH = [
    "New sale",
    "Today's sales",
    "Log out",
    "Log in",
    "Username",
    "Password",
    "Barcode or SKU",
    "Scan or type a code",
    "Quantity",
    "Unit price",
    "Line total",
    "Finish sale",
    "Remove",
    "No lines yet",
    "Not enough stock",
    "Sale receipt",
    "VOIDED",
    "Print",
    "Clerk",
    "Date",
    "Items",
    "Status",
    "No sales yet today",
    "Completed",
    "Voided",
    "Store management",
    "back office",
    "Inventory",
    "Products",
    "Categories",
    "Suppliers",
    "Stock movements",
    "Low stock alerts",
    "Sales",
    "Reports",
    "Alerts",
    "Recipients",
]


def visible_text(response) -> str:
    """What a person reads: the text between tags, and the attributes a
    screen reader or a button shows, without styles and scripts."""
    page = response.content.decode()
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    shown = re.findall(r'(?:placeholder|aria-label|title|value)="([^"]*)"', page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + " ".join(shown))


def english_on(response) -> list[str]:
    text = visible_text(response)
    return [words for words in ENGLISH if re.search(rf"\b{words}\b", text)]


@pytest.fixture
def cola(db):
    return ProductFactory(
        sku="DRK-001",
        barcode="7891000000014",
        name="Coca-Cola 350ml lata",
        price=Decimal("1234.56"),
        stock=10,
    )


@pytest.fixture
def voided_sale(cola, clerk, manager):
    sale, _created = sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    return sale_void(sale_id=sale.pk, user=manager, reason="Cliente desistiu")


def test_the_store_speaks_portuguese_unless_told_otherwise(settings):
    assert settings.LANGUAGE_CODE == "pt-br"
    assert [code for code, _name in settings.LANGUAGES] == ["pt-br", "en"]


def test_every_clerk_page_is_in_portuguese(client, clerk_client, cola, voided_sale):
    login = client.get(reverse("login"))
    clerk_client.post(NEW, {"action": "scan", "code": "DRK-001", "quantity": 1})
    refused = clerk_client.post(
        NEW, {"action": "scan", "code": "DRK-001", "quantity": 50}
    )
    pages = {
        "login": login,
        "sale form": clerk_client.get(NEW),
        "refused scan": refused,
        "receipt": clerk_client.get(reverse("sales:receipt", args=[voided_sale.pk])),
        "today": clerk_client.get(reverse("sales:today")),
    }

    for name, page in pages.items():
        assert page.status_code == 200, name
        assert english_on(page) == [], name
        assert '<html lang="pt-br">' in page.content.decode(), name
    assert "Usuário" in visible_text(login)
    assert "Nova venda" in visible_text(pages["sale form"])
    assert (
        "Estoque insuficiente de Coca-Cola 350ml lata (DRK-001): 10 em estoque, "
        "1 já nesta venda." in visible_text(refused)
    )
    receipt = visible_text(pages["receipt"])
    assert "Comprovante de venda" in receipt and "CANCELADA" in receipt
    assert "Cancelada" in visible_text(pages["today"])


def test_the_admin_index_and_our_admin_pages_are_in_portuguese(
    manager_client, cola, voided_sale
):
    pages = {
        "index": manager_client.get(reverse("admin:index")),
        "products": manager_client.get(reverse("admin:inventory_product_changelist")),
        "sales": manager_client.get(reverse("admin:sales_sale_changelist")),
        "sale": manager_client.get(
            reverse("admin:sales_sale_change", args=[voided_sale.pk])
        ),
        "ledger": manager_client.get(
            reverse("admin:inventory_stockmovement_changelist")
        ),
        "reports": manager_client.get(reverse("admin:reports_report_changelist")),
        "recipients": manager_client.get(reverse("admin:alerts_recipient_changelist")),
        "alerts sent": manager_client.get(reverse("admin:alerts_recipient_sent")),
    }

    for name, page in pages.items():
        assert page.status_code == 200, name
        assert english_on(page) == [], name
    index = visible_text(pages["index"])
    for words in ("Gestão da loja", "Estoque", "Produtos", "Vendas", "Relatórios"):
        assert words in index
    assert "R$ 1.234,56" in visible_text(pages["products"])
    assert "R$ 1.234,56" in visible_text(pages["sales"])
    assert "Importar CSV" in visible_text(pages["products"])
    assert "Cancelamento" in visible_text(pages["ledger"])  # the void's reason


def test_money_and_dates_on_the_receipt_in_both_languages(
    clerk_client, clerk, cola, settings
):
    sale, _created = sale_create(clerk=clerk, lines=[("DRK-001", 2)])
    sale.created_at = datetime.datetime(2026, 11, 29, 17, 5, tzinfo=datetime.UTC)
    sale.save()
    url = reverse("sales:receipt", args=[sale.pk])

    portuguese = visible_text(clerk_client.get(url))
    english = visible_text(clerk_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))

    assert "R$ 2.469,12" in portuguese and "29/11/2026 14:05" in portuguese
    assert "R$ 2,469.12" in english and "2026-11-29 14:05" in english
    assert "Sale receipt" in english and "Comprovante" not in english


def test_the_money_helper_and_filter_follow_the_active_language(settings):
    template = Template("{{ amount|money }}")
    with translation.override("pt-br"):
        assert money(Decimal("1234.5")) == "R$ 1.234,50"
        assert template.render(Context({"amount": Decimal("-7")})) == "-R$ 7,00"
    with translation.override("en"):
        assert money("1234.5") == "R$ 1,234.50"
    settings.PITSTOP_CURRENCY = "USD"
    with translation.override("en"):
        assert money(3) == "US$ 3.00"


def symbol_written_in(path: Path) -> bool:
    """Whether a template, or a string in Python code (docstrings and comments
    aside), writes R$ itself."""
    source = path.read_text()
    if path.suffix != ".py":
        return "R$" in source
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "R$" in node.value
        and id(node) not in docstrings
        for node in ast.walk(tree)
    )


def test_nothing_of_ours_writes_the_currency_symbol_itself():
    """R$ comes from PITSTOP_CURRENCY through the one helper (lambda_alert.l10n)."""
    own = [
        path
        for folder in (
            "alerts",
            "inventory",
            "pitstop",
            "purchasing",
            "reports",
            "sales",
            "templates",
        )
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts
    ]
    own += [p for p in (ROOT / "lambda_alert").glob("*.py") if p.name != "l10n.py"]
    assert len(own) > 40

    assert [str(p) for p in own if symbol_written_in(p)] == []


def test_accept_language_en_shows_english(client, clerk_client, cola):
    page = clerk_client.get(NEW, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = visible_text(page)

    assert '<html lang="en">' in page.content.decode()
    assert "New sale" in text and "Finish sale" not in text  # nothing scanned yet
    assert "Barcode or SKU" in text
    assert "Nova venda" not in text


def test_the_language_switch_keeps_the_clerks_choice(clerk_client, cola):
    assert 'value="en"' in clerk_client.get(NEW).content.decode()

    response = clerk_client.post(
        reverse("set_language"), {"language": "en", "next": NEW}
    )

    assert response.status_code == 302 and response["Location"] == NEW
    # The choice outlasts the browser's Accept-Language.
    page = clerk_client.get(NEW, HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "Barcode or SKU" in visible_text(page)
    clerk_client.post(reverse("set_language"), {"language": "pt-br", "next": NEW})
    assert "Código de barras ou SKU" in visible_text(clerk_client.get(NEW))


def test_api_errors_keep_english_codes_and_translate_the_message(clerk, cola):
    kiosk = APIClient()
    kiosk.force_authenticate(clerk)
    too_many = {"lines": [{"sku": "DRK-001", "qty": 50}]}

    portuguese = kiosk.post("/api/sales/", too_many, format="json")
    english = kiosk.post(
        "/api/sales/", too_many, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    bad = kiosk.post("/api/sales/", {"lines": []}, format="json")
    missing = kiosk.get("/api/products/NOPE/")

    assert portuguese.status_code == english.status_code == 409
    assert portuguese.json()["error"] == english.json()["error"] == "insufficient_stock"
    assert portuguese.json()["message"].startswith("Estoque insuficiente de ")
    assert english.json()["message"].startswith("Not enough stock of ")
    assert bad.json() == {
        "error": "invalid",
        "field": "lines",
        "message": "Uma venda precisa de ao menos um item.",
    }
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_the_pdf_report_is_in_portuguese(tmp_path):
    path = tmp_path / "relatorio.pdf"
    with path.open("wb") as out:
        report_pdf(report(products=SOLD, restock=LOW), out)

    text = pdf_text(path)
    assert "Pit Stop — relatório diário 27/11/2026" in text
    assert "gerado em 28/11/2026 00:05" in text
    assert "R$ 2.201,30" in text  # revenue
    assert "R$ 55,03" in text  # average ticket
    assert "0,6" in text[text.index("Reposição") :]  # Guaraná's days left
    for words in (
        "Faturamento",
        "Ticket médio",
        "10 mais por faturamento",
        "Reposição",
    ):
        assert words in text
    for words in ("Revenue", "Average ticket", "Top 10", "Restock", "page 1"):
        assert words not in text


def test_the_pdf_follows_the_store_not_the_request(tmp_path):
    path = tmp_path / "relatorio.pdf"
    with translation.override("en"), path.open("wb") as out:
        report_pdf(report(products=SOLD, restock=LOW), out)

    assert "relatório diário" in pdf_text(path)


def test_the_local_digest_email_is_in_portuguese(
    clerk, django_capture_on_commit_callbacks
):
    Recipient.objects.create(name="Ana", email="ana@pitstop.example")
    ProductFactory(sku="PAO-001", name="Pão de queijo", stock=40, reorder_point=5)
    ProductFactory(sku="AGU-500", name="Água 500ml", stock=1, reorder_point=6)
    sale_create(clerk=clerk, lines=[("PAO-001", 36)])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=day_period(timezone.localdate()))

    (digest,) = [m for m in mail.outbox if "relatório diário" in m.subject]
    day = timezone.localdate().strftime("%d/%m/%Y")
    assert digest.subject.startswith(f"Pit Stop relatório diário {day}: R$ ")
    assert digest.subject.endswith(", 2 produtos a repor")
    assert "  Faturamento  " in digest.body
    assert "A repor (2), mais urgentes primeiro" in digest.body


def test_a_rejected_import_lists_its_errors_in_portuguese():
    data = (
        "sku,name,price,stock,reorder_point,par_level\n"
        "DRK-009,Água,abc,3,2,5\n"
        "DRK-010,Suco,4.50,,6,2\n"
    ).encode()

    with pytest.raises(ImportRejected) as rejected:
        products_import(data=data)

    assert rejected.value.errors == [
        "linha 2: price: 'abc' não é um valor como 12.50",
        "linha 3: stock: obrigatório",
        "linha 3: par_level: 2 está abaixo do reorder_point 6",
    ]


def test_a_rejected_supplier_file_lists_its_errors_in_portuguese():
    data = (
        b"name,email,lead_time_days,min_order_value,fax\nBebidas Sul,pedidos,x,dez,1\n"
    )

    with pytest.raises(ImportRejected) as header:
        suppliers_import(data=data)
    with pytest.raises(ImportRejected) as rows:
        suppliers_import(data=data.replace(b",fax", b"").replace(b",1\n", b"\n"))

    assert header.value.errors == ["linha 1: coluna(s) desconhecida(s): fax"]
    assert rows.value.errors == [
        "linha 2: email: 'pedidos' não é um endereço de e-mail",
        "linha 2: lead_time_days: 'x' não é um número inteiro de 0 a 365",
        "linha 2: min_order_value: 'dez' não é um valor como 300.00",
    ]


def test_the_purchase_order_admin_is_in_portuguese(manager_client, cola):
    supplier = SupplierFactory(name="Bebidas Sul", min_order_value=5000)
    order = PurchaseOrder.objects.create(supplier=supplier)
    PurchaseOrderLine.objects.create(
        order=order, product=cola, ordered=2, unit_cost="1000.00"
    )

    listing = visible_text(
        manager_client.get(reverse("admin:purchasing_purchaseorder_changelist"))
    )
    change = visible_text(
        manager_client.get(
            reverse("admin:purchasing_purchaseorder_change", args=[order.pk])
        )
    )

    assert "Pedidos de compra" in listing
    assert "abaixo de R$ 5.000,00: não enviar" in listing
    for words in ("Compras", "Impresso no pedido para o fornecedor.", "Itens do"):
        assert words in change, words
    for english in ("Printed on the order", "Purchase order line", "Ordered"):
        assert english not in change, english


def test_the_alerts_sent_page_shows_kinds_and_times_as_the_store_reads_them(
    manager_client, clerk, django_capture_on_commit_callbacks
):
    Recipient.objects.create(name="Ana", email="ana@pitstop.example")
    with django_capture_on_commit_callbacks(execute=True):
        report_build(period=day_period(timezone.localdate()))

    text = visible_text(manager_client.get(reverse("admin:alerts_recipient_sent")))

    assert "resumo" in text and "digest" not in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
