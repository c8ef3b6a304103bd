"""The alert function speaks the store's language: Portuguese by default,
English when STORE_LANGUAGE says so; money and dates as the app writes them;
an SMS that a phone sends as one GSM-7 segment."""

import datetime
import json
from decimal import Decimal

import pytest

from lambda_alert import decide, handler, l10n
from tests.lambda_alert.conftest import DAILY_KEY, EVENT_KEY, sample, sample_bytes

# GSM 03.38: the basic alphabet (one septet each) and the extension table
# (an escape plus one septet: two of the 160).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def gsm7_septets(text: str) -> int:
    """Septets in one GSM-7 message; fails on a character that would force UCS-2."""
    unsendable = [c for c in text if c not in GSM7_BASIC | GSM7_EXTENDED]
    assert not unsendable, f"not GSM-7, the SMS would go as UCS-2: {unsendable}"
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


def test_money_is_written_as_brazilians_write_it_and_in_english():
    amount = Decimal("1234.56")
    assert l10n.money(amount, currency="BRL", lang="pt-br") == "R$ 1.234,56"
    assert l10n.money(amount, currency="BRL", lang="en") == "R$ 1,234.56"
    assert l10n.money(Decimal("1234567.1"), currency="BRL", lang="pt_BR") == (
        "R$ 1.234.567,10"
    )
    assert l10n.money(Decimal("0"), currency="BRL", lang="pt-br") == "R$ 0,00"
    assert l10n.money(Decimal("-3.5"), currency="BRL", lang="pt-br") == "-R$ 3,50"


def test_the_currency_symbol_comes_from_the_currency_code():
    assert l10n.money(Decimal("10"), currency="USD", lang="en") == "US$ 10.00"
    assert l10n.money(Decimal("10"), currency="eur", lang="pt-br") == "€ 10,00"
    assert l10n.money(Decimal("10"), currency="CHF", lang="en") == "CHF 10.00"


def test_dates_are_day_month_year_in_portuguese_and_iso_in_english():
    moment = datetime.datetime(2026, 11, 29, 21, 5)
    assert l10n.date(moment.date(), lang="pt-br") == "29/11/2026"
    assert l10n.date(moment.date(), lang="en") == "2026-11-29"
    assert l10n.date_time(moment, lang="pt-br") == "29/11/2026 21:05"
    assert l10n.date_time(moment, lang="en") == "2026-11-29 21:05"


def test_the_digest_is_in_portuguese_by_default():
    alert = decide.alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))

    assert alert.subject == (
        "Pit Stop relatório diário 27/11/2026: R$ 2.201,30, 4 produtos a repor"
    )
    body = alert.email_body
    assert body.startswith("Pit Stop relatório diário 27/11/2026 (America/Sao_Paulo)\n")
    assert "  Faturamento   R$ 2.201,30\n" in body
    assert "  Vendas        72 (182 unidades)\n" in body
    assert "  Ticket médio  R$ 30,57\n" in body
    assert "  Canceladas    1 venda, R$ 12,50\n" in body
    assert "\nMais vendidos\n" in body
    assert "  ICE-004  Ice cream pot 1.5L       6    R$ 179,40\n" in body
    assert "\nA repor (4), mais urgentes primeiro\n" in body
    assert "Pedido de reposição (CSV, mesmo bucket): orders/2026-11-27/" in body
    assert alert.sms_text == (
        "Pit Stop 27/11/2026: R$ 2.201,30, 4 com estoque baixo: SNK-010 Pao de "
        "queijo (6 un.) 0/5; BBQ-002 Charcoal 3kg 1/4; ICE-001 Ice bag 5kg 2/8"
    )


def test_the_digest_in_english_when_asked():
    alert = decide.alert_for(
        DAILY_KEY, sample_bytes("daily_summary.json"), language="en"
    )

    assert alert.subject == (
        "Pit Stop daily report 2026-11-27: R$ 2,201.30, 4 products to restock"
    )
    assert alert.sms_text.startswith("Pit Stop 2026-11-27: R$ 2,201.30, 4 low: ")


def test_a_weekly_digest_keeps_the_iso_week():
    alert = decide.alert_for(
        "reports/weekly/2026-W48/summary.json", sample_bytes("weekly_summary.json")
    )
    assert alert.subject.startswith("Pit Stop relatório semanal 2026-W48: R$ ")


def test_the_event_alert_is_in_portuguese():
    alert = decide.alert_for(EVENT_KEY, sample_bytes("low_stock_event.json"))

    assert alert.subject == "Pit Stop: Coca-Cola 350ml can está acabando (3 em estoque)"
    assert alert.email_body.startswith(
        "Coca-Cola 350ml can (DRK-001) chegou ao ponto de pedido em "
        "27/11/2026 18:03 após uma venda.\n"
    )
    assert (
        "Pedido sugerido: 69, fornecedor Distribuidora Bebidas Sul "
        "<pedidos@bebidassul.example>, para voltar a 72." in alert.email_body
    )
    assert alert.sms_text == (
        "Pit Stop: 1 com estoque baixo: DRK-001 Coca-Cola 350ml can 3/12, "
        "pedir 69: Distribuidora Bebidas Sul"
    )
    assert decide.whatsapp_text(alert).endswith(
        "• DRK-001 Coca-Cola 350ml can: 3/12, pedir 69 (Distribuidora Bebidas Sul)"
    )


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_every_sms_is_one_gsm7_segment_even_with_accented_names(language):
    store = "Posto São João — Conveniência"
    doc = sample("daily_summary.json")
    for n, item in enumerate(doc["low_stock"]):
        item["name"] = f"Pão de queijo ção ã õ ê ü € {{}} número {n} " * 3
    event = sample("low_stock_event.json")
    event["product"]["name"] = "Açaí na tigela com granola e mel, porção grande"
    event["product"]["supplier"] = "Distribuidora Ávila & Irmãos Comércio Ltda."
    alerts = [
        decide.alert_for(
            DAILY_KEY, json.dumps(doc).encode(), store=store, language=language
        ),
        decide.alert_for(
            EVENT_KEY, json.dumps(event).encode(), store=store, language=language
        ),
    ]

    for alert in alerts:
        assert gsm7_septets(alert.sms_text) <= 160, alert.sms_text
    assert "Sao Joao" in alerts[0].sms_text


def test_the_handler_speaks_store_language_from_its_environment(store, aws):
    aws.setenv("STORE_LANGUAGE", "en")
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()

    handler.handler(event, None)

    (published,) = store.published()
    assert published.subject == "Pit Stop: Coca-Cola 350ml can is low (3 left)"
