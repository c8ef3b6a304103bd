"""The alert texts of the replenishment rule: what is on order, how fast it
sells, and the draft purchase orders the morning digest names."""

import csv
import io
import json

from lambda_alert import decide
from tests.lambda_alert.conftest import DAILY_KEY, EVENT_KEY, sample


def alert_for(key: str, body: bytes) -> decide.Alert | None:
    """In English: the texts these tests read."""
    return decide.alert_for(key, body, language="en")


def encoded(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def test_the_digest_names_the_drafts_to_approve_and_flags_one_under_its_minimum():
    doc = sample("daily_summary.json")
    doc["purchase_orders"] = [
        {
            "number": "PO-12",
            "supplier": "Distribuidora Bebidas Sul",
            "lines": 7,
            "total": "412.30",
            "min_order_value": "300.00",
            "below_minimum": False,
        },
        {
            "number": "PO-13",
            "supplier": "Cervejaria Estrada",
            "lines": 1,
            "total": "218.40",
            "min_order_value": "500.00",
            "below_minimum": True,
        },
    ]

    body = alert_for(DAILY_KEY, encoded(doc)).email_body

    section = body.split("Purchase orders to approve")[1].split("\n\n")[0]
    assert section.splitlines()[1:] == [
        "  PO-12 Distribuidora Bebidas Sul, 7 lines, R$ 412.30",
        "  PO-13 Cervejaria Estrada, 1 line, R$ 218.40 - below the minimum order "
        "of R$ 500.00: not to send yet",
    ]


def test_a_digest_without_drafts_has_no_purchase_order_section():
    body = alert_for(DAILY_KEY, encoded(sample("daily_summary.json"))).email_body

    assert "Purchase orders to approve" not in body


def test_the_order_draft_carries_what_is_already_on_order():
    doc = sample("daily_summary.json")
    doc["low_stock"][2] |= {"on_order": 24, "suggested_qty": 48}

    alert = alert_for(DAILY_KEY, encoded(doc))

    rows = list(csv.DictReader(io.StringIO(alert.order_csv.decode())))
    drk = next(r for r in rows if r["sku"] == "DRK-001")
    assert (drk["quantity"], drk["on_order"]) == ("48", "24")
    assert "        24     48  Distribuidora Bebidas Sul" in alert.email_body


def test_an_event_says_what_is_on_order_how_fast_it_sells_and_what_to_add():
    doc = sample("low_stock_event.json")
    doc["product"] |= {
        "on_order": 24,
        "suggested_qty": 48,
        "velocity": "6.50",
        "days_of_cover": "0.5",
    }

    body = alert_for(EVENT_KEY, encoded(doc)).email_body

    assert "On order       24" in body
    assert "Sold a day     6.50 (last 28 days)" in body
    assert "Days of cover  0.5" in body
    assert (
        "Order 48 from Distribuidora Bebidas Sul <pedidos@bebidassul.example> "
        "to bring it back to 75." in body
    )


def test_an_event_with_enough_on_order_orders_nothing_more():
    doc = sample("low_stock_event.json")
    doc["product"] |= {"on_order": 69, "suggested_qty": 0}

    alert = alert_for(EVENT_KEY, encoded(doc))

    assert "69 already on order: nothing more to order." in alert.email_body
    assert ", order" not in alert.sms_text


def test_the_digest_names_the_drafts_in_portuguese_by_default():
    doc = sample("daily_summary.json")
    doc["purchase_orders"] = [
        {
            "number": "PO-12",
            "supplier": "Distribuidora Bebidas Sul",
            "lines": 7,
            "total": "412.30",
            "min_order_value": "300.00",
            "below_minimum": False,
        }
    ]

    body = decide.alert_for(DAILY_KEY, encoded(doc)).email_body

    assert "  PO-12 Distribuidora Bebidas Sul, 7 linhas, R$ 412,30" in body
