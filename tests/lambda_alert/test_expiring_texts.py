"""The digest tells which lots expire (the manifest's `expiring`), counted per
day from the morning it is read: "3 lots expire tomorrow: …", in the e-mail,
the chat message and the SMS, in English and Portuguese."""

import datetime
import json

import pytest

from lambda_alert import decide, text
from lambda_alert.decide import Malformed
from lambda_alert.parse import Expiring
from tests.lambda_alert.conftest import DAILY_KEY, WEEKLY_KEY, sample

# DAILY_KEY is the report of 2026-11-27, read the morning of the 28th.
EXPIRING = [
    {"sku": "SAND", "name": "Sanduíche natural", "expires_on": "2026-11-29", "qty": 4},
    {"sku": "MILK", "name": "Leite integral 1L", "expires_on": "2026-11-29", "qty": 6},
    {"sku": "YOG", "name": "Iogurte morango", "expires_on": "2026-11-29", "qty": 1},
    {"sku": "MILK", "name": "Leite integral 1L", "expires_on": "2026-11-28", "qty": 2},
]


def digest(key=DAILY_KEY, sample_name="daily_summary.json", language="en", **doc):
    manifest = sample(sample_name) | doc
    return decide.alert_for(key, json.dumps(manifest).encode(), language=language)


def test_the_digest_says_how_many_lots_expire_today_and_tomorrow_and_which():
    alert = digest(expiring=EXPIRING)

    body = alert.email_body
    assert "1 lot expires today: Leite integral 1L (2 units)\n" in body
    assert (
        "3 lots expire tomorrow: Iogurte morango (1 unit), Leite integral 1L "
        "(6 units), Sanduíche natural (4 units)\n"
    ) in body
    assert "Mark them down or take them off the shelf" in body
    assert body.index("expire tomorrow") < body.index("To restock")


def test_in_portuguese_the_lots_vencem_amanha():
    alert = digest(expiring=EXPIRING, language="pt-br")

    assert (
        "3 lotes vencem amanhã: Iogurte morango (1 unidade), Leite integral 1L "
        "(6 unidades), Sanduíche natural (4 unidades)\n"
    ) in alert.email_body
    assert "1 lote vence hoje: Leite integral 1L (2 unidades)\n" in alert.email_body
    assert alert.sms_text.endswith("; 4 lotes vencendo")


def test_the_chat_message_and_the_sms_carry_the_expiring_lots():
    alert = digest(expiring=EXPIRING)

    lines = decide.whatsapp_text(alert).splitlines()
    assert lines[1] == "1 lot expires today: Leite integral 1L (2 units)"
    assert lines[2].startswith("3 lots expire tomorrow: Iogurte morango (1 unit)")
    assert len(alert.sms_text) <= 160
    assert alert.sms_text.endswith("; 4 lots expiring")


def test_a_manifest_without_expiring_lots_says_nothing_of_them():
    alert = digest()
    empty = digest(expiring=[])

    for each in (alert, empty):
        assert "expire" not in each.email_body
        assert "expiring" not in each.sms_text
        assert each.expiring == ()


def test_a_later_day_is_named_by_its_date():
    later = [{"sku": "MILK", "expires_on": "2026-12-01", "qty": 3}]

    alert = digest(expiring=later)

    # No name in the manifest (DESIGN.md's three keys): the sku stands for it.
    assert "1 lot expires on 2026-12-01: MILK (3 units)\n" in alert.email_body


def test_a_weekly_digest_counts_from_the_monday_after_its_week():
    lots = [
        Expiring("MILK", "Leite", datetime.date(2026, 11, 30), 5),
        Expiring("YOG", "Iogurte", datetime.date(2026, 12, 1), 2),
    ]
    alert = digest(
        WEEKLY_KEY,
        "weekly_summary.json",
        expiring=[
            {
                "sku": lot.sku,
                "name": lot.name,
                "expires_on": str(lot.expires_on),
                "qty": lot.qty,
            }
            for lot in lots
        ],
    )

    assert alert.expiring == (
        "1 lot expires today: Leite (5 units)",
        "1 lot expires tomorrow: Iogurte (2 units)",
    )
    assert text.expiring_lines(lots, datetime.date(2026, 11, 30), "en") == list(
        alert.expiring
    )


@pytest.mark.parametrize(
    ("lot", "message"),
    [
        ({"sku": "MILK", "expires_on": "2026-13-01", "qty": 1}, "expires_on"),
        ({"sku": "MILK", "expires_on": "tomorrow", "qty": 1}, "expires_on"),
        ({"sku": "MILK", "expires_on": "2026-11-29", "qty": "1"}, "qty"),
        ({"expires_on": "2026-11-29", "qty": 1}, "sku"),
        ("MILK", "expiring\\[0\\]"),
    ],
)
def test_an_expiring_lot_that_cannot_be_read_is_malformed(lot, message):
    with pytest.raises(Malformed, match=message):
        digest(expiring=[lot])


def test_the_digest_counts_the_waste_of_the_period_at_cost():
    manifest = sample("daily_summary.json")
    manifest["totals"]["waste"] = "1234.50"

    alert = decide.alert_for(DAILY_KEY, json.dumps(manifest).encode(), language="en")
    none = digest()

    assert "  Waste (at cost)  R$ 1,234.50\n" in alert.email_body
    assert "Waste" not in none.email_body
