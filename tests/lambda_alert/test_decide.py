"""The alert function's decisions, as pure functions: no AWS, no database."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest

from lambda_alert import decide, l10n, text
from lambda_alert.decide import Malformed
from tests.lambda_alert.conftest import (
    DAILY_KEY,
    EVENT_KEY,
    WEEKLY_KEY,
    sample,
    sample_bytes,
)


def alert_for(key: str, body: bytes, **options) -> decide.Alert | None:
    """The alert in English, which these tests read (test_alert_language.py
    reads the Portuguese, the store's default)."""
    return decide.alert_for(key, body, **({"language": "en"} | options))


def brl(amount: Decimal) -> str:
    return l10n.money(amount, currency="BRL", lang="en")


def encoded(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def low_item(n: int, **fields) -> dict:
    return {
        "sku": f"SKU-{n:03d}",
        "name": f"Product number {n} with a rather long descriptive name",
        "stock": n % 5,
        "reorder_point": 10,
        "par_level": 40,
        "suggested_qty": 40 - n % 5,
        "supplier": f"Supplier {n % 3}",
        "supplier_email": f"orders{n % 3}@supplier.example",
    } | fields


def order_rows(alert: decide.Alert) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(alert.order_csv.decode())))


# ------------------------------------------------------------------------------
# Digest (report manifest)
# ------------------------------------------------------------------------------


def test_a_daily_manifest_makes_a_digest_with_the_days_numbers():
    alert = alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))

    assert alert.kind == "digest"
    assert alert.source_key == DAILY_KEY
    assert alert.day == "2026-11-27"
    assert alert.subject == (
        "Pit Stop daily report 2026-11-27: R$ 2,201.30, 4 products to restock"
    )
    body = alert.email_body
    assert "  Revenue         R$ 2,201.30\n" in body
    assert "  Sales           72 (182 units)\n" in body
    assert "  Average ticket  R$ 30.57\n" in body
    assert "  Voided          1 sale, R$ 12.50\n" in body


def test_the_digest_names_the_top_five_sellers():
    body = alert_for(DAILY_KEY, sample_bytes("daily_summary.json")).email_body

    top = body.split("Top sellers\n")[1].split("\n\n")[0].splitlines()
    assert top[2] == "  ICE-004  Ice cream pot 1.5L       6  R$ 179.40"
    assert len(top) == 2 + 5
    assert "Lighter" not in body  # the sixth


def test_the_digest_lists_what_to_restock_most_urgent_first_in_aligned_columns():
    alert = alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))

    table = alert.email_body.split("most urgent first\n")[1].split("\n\n")[0]
    assert table.splitlines() == [
        "  SKU      Product                Stock  Reorder point  On order  Order  "
        "Supplier",
        "  -------  ---------------------  -----  -------------  --------  -----  "
        "-------------------------",
        "  SNK-010  Pão de queijo (6 un.)      0              5         0     20  -",
        "  BBQ-002  Charcoal 3kg               1              4         0     17  "
        "Atacado Central",
        "  ICE-001  Ice bag 5kg                2              8         0     28  "
        "Atacado Central",
        "  DRK-001  Coca-Cola 350ml can        3             12         0     69  "
        "Distribuidora Bebidas Sul",
    ]
    assert [item.sku for item in alert.items] == [
        "SNK-010",
        "BBQ-002",
        "ICE-001",
        "DRK-001",
    ]
    assert "orders/2026-11-27/daily-2026-11-27.csv" in alert.email_body


def test_urgency_is_stock_relative_to_the_reorder_point_then_stock():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [
        low_item(1, stock=5, reorder_point=10),  # 1/2
        low_item(2, stock=1, reorder_point=2),  # 1/2, less stock
        low_item(3, stock=3, reorder_point=30),  # 1/10
        low_item(4, stock=0, reorder_point=1),  # empty
    ]

    alert = alert_for(DAILY_KEY, encoded(doc))

    assert [item.sku for item in alert.items] == [
        "SKU-004",
        "SKU-003",
        "SKU-002",
        "SKU-001",
    ]


def test_the_digest_sms_counts_the_low_products_and_names_the_three_most_urgent():
    alert = alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))

    assert alert.sms_text == (
        "Pit Stop 2026-11-27: R$ 2,201.30, 4 low: SNK-010 Pao de queijo (6 un.) 0/5; "
        "BBQ-002 Charcoal 3kg 1/4; ICE-001 Ice bag 5kg 2/8"
    )


def test_the_sms_fits_one_message_with_forty_long_named_products():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [
        low_item(n, name=f"Produto de nome muito, muito comprido número {n} ÀÉÎÕÜ" * 2)
        for n in range(40)
    ]

    sms = alert_for(DAILY_KEY, encoded(doc)).sms_text

    assert len(sms) <= 160
    assert sms.isascii()
    assert ", 40 low: " in sms
    # stock 0 of 10 first: SKU-000, SKU-005, SKU-010
    assert [part.split()[0] for part in sms.split(" low: ")[1].split("; ")] == [
        "SKU-000",
        "SKU-005",
        "SKU-010",
    ]
    assert sms.endswith(" 0/10")


def test_the_sms_never_exceeds_160_even_with_a_huge_store_name():
    doc = sample("daily_summary.json")
    alert = alert_for(DAILY_KEY, encoded(doc), store="Posto " * 50)

    assert len(alert.sms_text) == 160
    assert len(alert.subject) <= 100


def test_a_manifest_with_nothing_low_still_makes_a_digest_without_an_order():
    doc = sample("daily_summary.json")
    doc["low_stock"] = []

    alert = alert_for(DAILY_KEY, encoded(doc))

    assert alert.kind == "digest"
    assert alert.subject == (
        "Pit Stop daily report 2026-11-27: R$ 2,201.30, nothing to restock"
    )
    assert alert.sms_text == "Pit Stop 2026-11-27: R$ 2,201.30, 72 sales, 0 low"
    assert "Nothing to restock" in alert.email_body
    assert alert.items == ()
    assert alert.order_csv is None
    assert alert.order_key is None


def test_a_weekly_manifest_belongs_to_the_weeks_sunday():
    alert = alert_for(WEEKLY_KEY, sample_bytes("weekly_summary.json"))

    assert alert.day == "2026-11-29"
    assert alert.subject == (
        "Pit Stop weekly report 2026-W48: R$ 15,420.75, nothing to restock"
    )


def test_a_weekly_order_is_filed_under_the_weeks_sunday():
    doc = sample("weekly_summary.json")
    doc["low_stock"] = [low_item(1)]

    alert = alert_for(WEEKLY_KEY, encoded(doc))

    assert alert.order_key == "orders/2026-11-29/weekly-2026-W48.csv"


def test_the_first_manifests_items_without_par_level_or_supplier_are_read():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [
        {
            "sku": "A-1",
            "name": "Gum",
            "stock": 2,
            "reorder_point": 5,
            "suggested_qty": 8,
        }
    ]
    doc["totals"] = {"sales": 4, "revenue": "10.00"}
    del doc["top_products"]

    alert = alert_for(DAILY_KEY, encoded(doc))

    assert alert.items[0].par_level == 10
    assert alert.items[0].supplier == ""
    assert "Average ticket  R$ 2.50" in alert.email_body
    assert order_rows(alert) == [
        {
            "supplier": "",
            "supplier_email": "",
            "sku": "A-1",
            "name": "Gum",
            "stock": "2",
            "par_level": "10",
            "quantity": "8",
            "on_order": "0",
        }
    ]


def test_money_comes_from_decimal_strings_with_thousands_and_cents():
    assert brl(Decimal("2201.3")) == "R$ 2,201.30"
    assert brl(Decimal("1234567.10")) == "R$ 1,234,567.10"
    assert brl(Decimal("0")) == "R$ 0.00"


# ------------------------------------------------------------------------------
# Replenishment order
# ------------------------------------------------------------------------------


def test_the_order_is_grouped_by_supplier_with_quantities_up_to_par_level():
    alert = alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))

    assert alert.order_key == "orders/2026-11-27/daily-2026-11-27.csv"
    assert alert.order_csv.decode().splitlines()[0] == (
        "supplier,supplier_email,sku,name,stock,par_level,quantity,on_order"
    )
    rows = order_rows(alert)
    assert [(r["supplier"], r["sku"], r["quantity"]) for r in rows] == [
        ("Atacado Central", "BBQ-002", "17"),
        ("Atacado Central", "ICE-001", "28"),
        ("Distribuidora Bebidas Sul", "DRK-001", "69"),
        ("", "SNK-010", "20"),  # no supplier on file: last
    ]
    assert rows[0]["supplier_email"] == "compras@atacadocentral.example"
    assert rows[3]["name"] == "Pão de queijo (6 un.)"


def test_the_order_leaves_out_products_already_at_par_level():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [
        low_item(1, stock=4, reorder_point=4, par_level=4, suggested_qty=0),
        low_item(2),
    ]

    alert = alert_for(DAILY_KEY, encoded(doc))

    assert [r["sku"] for r in order_rows(alert)] == ["SKU-002"]


def test_the_order_of_forty_products_keeps_each_supplier_together():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [low_item(n) for n in range(40)]

    rows = order_rows(alert_for(DAILY_KEY, encoded(doc)))

    suppliers = [r["supplier"] for r in rows]
    assert suppliers == sorted(suppliers)
    for supplier in set(suppliers):
        skus = [r["sku"] for r in rows if r["supplier"] == supplier]
        assert skus == sorted(skus)
    assert sum(int(r["quantity"]) for r in rows) == sum(40 - n % 5 for n in range(40))


# ------------------------------------------------------------------------------
# Immediate (low-stock event)
# ------------------------------------------------------------------------------


def test_a_low_stock_event_makes_an_immediate_alert_without_an_order():
    alert = alert_for(EVENT_KEY, sample_bytes("low_stock_event.json"))

    assert alert.kind == "immediate"
    assert alert.day == "2026-11-27"
    assert alert.subject == "Pit Stop: Coca-Cola 350ml can is low (3 left)"
    assert alert.sms_text == (
        "Pit Stop: 1 low: DRK-001 Coca-Cola 350ml can 3/12, "
        "order 69 from Distribuidora Bebidas Sul"
    )
    assert "reached its reorder point at 2026-11-27 18:03 after a sale" in (
        alert.email_body
    )
    assert (
        "Order 69 from Distribuidora Bebidas Sul <pedidos@bebidassul.example> "
        "to bring it back to 72." in alert.email_body
    )
    assert alert.order_csv is None
    assert alert.order_key is None


def test_an_empty_shelf_says_out_of_stock():
    doc = sample("low_stock_event.json")
    doc["product"] |= {"stock": 0, "suggested_qty": 72}

    assert alert_for(EVENT_KEY, encoded(doc)).subject == (
        "Pit Stop: Coca-Cola 350ml can is out of stock"
    )


def test_a_very_long_name_is_shortened_to_fit_the_subject_on_one_line():
    doc = sample("low_stock_event.json")
    doc["product"]["name"] = "Biscoito recheado\nsabor chocolate " * 10

    alert = alert_for(EVENT_KEY, encoded(doc), store="Posto Estrela")

    assert len(alert.subject) <= 100
    assert "\n" not in alert.subject
    assert alert.subject.startswith("Posto Estrela: Biscoito recheado sabor")
    assert alert.subject.endswith("… is low (3 left)")


def test_the_event_sms_drops_the_supplier_before_shortening_names():
    doc = sample("low_stock_event.json")
    doc["product"] |= {"name": "N" * 100, "supplier": "S" * 60}

    sms = alert_for(EVENT_KEY, encoded(doc)).sms_text

    assert sms == "Pit Stop: 1 low: DRK-001 " + "N" * 100 + " 3/12"


# ------------------------------------------------------------------------------
# What is not an alert, and what cannot be read
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "reports/daily/2026-11-27/sales.csv",
        "reports/daily/2026-11-27/old-summary.json",
        "orders/2026-11-27/daily-2026-11-27.csv",
        "alerts/sent/2026-11-27/0123abcd.json",
        "events/other/2026-11-27/x.json",
        "events/low-stock/2026-11-27/nested/x.json",
    ],
)
def test_keys_that_are_neither_manifests_nor_events_give_no_alert(key):
    assert alert_for(key, b"{}") is None


def test_what_the_function_writes_is_never_notified():
    order = alert_for(DAILY_KEY, sample_bytes("daily_summary.json")).order_key
    marker = decide.marker_key("bucket", DAILY_KEY, "etag")

    # The bucket notifies the function of reports/…summary.json and events/…
    # (tests/deploy/test_template.py holds the template to that).
    for key in [order, marker]:
        assert not key.startswith(("reports/", "events/"))
    assert order.startswith("orders/")
    assert marker.startswith("alerts/sent/")


def manifest_with(**changes) -> bytes:
    doc = sample("daily_summary.json")
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = doc
        for parent in parents:
            target = target[parent]
        if value is KeyError:
            del target[name]
        else:
            target[name] = value
    return encoded(doc)


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"schema": 1, "kind": "daily"', "not JSON"),
        (b"[1, 2]", "should be an object"),
        ("{}".encode("utf-16"), "not UTF-8"),
        (b'{"schema": 1, "name": "P\xe3o"}', "not UTF-8"),
        (manifest_with(schema=2), "schema 2"),
        (manifest_with(schema=True), "schema should be int"),
        (manifest_with(totals=KeyError), "totals is missing"),
        (manifest_with(totals__revenue=2201.3), "totals.revenue should be str"),
        (manifest_with(totals__revenue="abc"), "not a decimal"),
        (manifest_with(totals__revenue="NaN"), "not a number"),
        (manifest_with(low_stock=KeyError), "low_stock is missing"),
        (manifest_with(low_stock={"sku": "X"}), "low_stock should be list"),
        (manifest_with(low_stock=[{"sku": "X"}]), "low_stock[0].stock is missing"),
        (manifest_with(period="2026-11-26"), "not the daily report 2026-11-27"),
        (manifest_with(kind="weekly"), "not the daily report 2026-11-27"),
        (manifest_with(top_products=[{"sku": "X"}]), "top_products[0].name is"),
    ],
)
def test_a_manifest_that_cannot_be_understood_is_malformed(body, message):
    with pytest.raises(Malformed, match=re.escape(message)):
        alert_for(DAILY_KEY, body)


def event_with(**product) -> bytes:
    doc = sample("low_stock_event.json")
    doc["product"] |= product
    return encoded(doc)


@pytest.mark.parametrize(
    "body, message",
    [
        (encoded(sample("daily_summary.json")), "kind is 'daily'"),
        (event_with(stock="3"), "product.stock should be int"),
        (event_with(stock=True), "product.stock should be int"),
        (event_with(sku="  "), "product.sku is empty"),
        (encoded(sample("low_stock_event.json") | {"product": None}), "product"),
        (encoded(sample("low_stock_event.json") | {"opened_at": "x"}), "opened_at"),
    ],
)
def test_an_event_that_cannot_be_understood_is_malformed(body, message):
    with pytest.raises(Malformed, match=message):
        alert_for(EVENT_KEY, body)


def test_a_key_that_names_no_real_day_is_malformed():
    with pytest.raises(Malformed, match="no real day"):
        alert_for("reports/daily/2026-02-30/summary.json", b"{}")
    with pytest.raises(Malformed, match="no real day"):
        alert_for("reports/weekly/2026-W54/summary.json", b"{}")


# ------------------------------------------------------------------------------
# Markers and WhatsApp
# ------------------------------------------------------------------------------


def test_a_marker_key_is_one_per_object_version_filed_by_day():
    first = decide.marker_key("pitstop-reports", EVENT_KEY, "0123abcd")

    assert first.startswith("alerts/sent/2026-11-27/")
    assert len(first.rsplit("/", 1)[1]) == 40 + len(".json")
    assert decide.marker_key("pitstop-reports", EVENT_KEY, '"0123abcd"') == first
    assert decide.marker_key("pitstop-reports", EVENT_KEY, "4567ef") != first
    assert decide.marker_key("other-bucket", EVENT_KEY, "0123abcd") != first
    assert decide.marker_key("b", "events/x.json", "e").startswith(
        "alerts/sent/unknown/"
    )
    assert decide.marker_key("b", WEEKLY_KEY, "e").startswith("alerts/sent/2026-11-29/")


def test_a_marker_record_says_what_was_sent_and_when_in_utc():
    alert = alert_for(DAILY_KEY, sample_bytes("daily_summary.json"))
    sent_at = datetime.datetime.fromisoformat("2026-11-28T00:05:30-03:00")

    record = decide.marker_record(
        source_key=DAILY_KEY, sent_at=sent_at, alert=alert, channels=["sns"]
    )

    assert record == {
        "schema": 1,
        "status": "sent",
        "source_key": DAILY_KEY,
        "kind": "digest",
        "day": "2026-11-27",
        "subject": alert.subject,
        "sms_text": alert.sms_text,
        "items": 4,
        "order_key": "orders/2026-11-27/daily-2026-11-27.csv",
        "sent_at": "2026-11-28T03:05:30+00:00",
        "channels": ["sns"],
        "error": "",
    }
    json.dumps(record)  # it is the marker's JSON body


def test_the_whatsapp_payload_is_a_cloud_api_text_message():
    alert = alert_for(EVENT_KEY, sample_bytes("low_stock_event.json"))

    payload = decide.whatsapp_payload(alert, " 5511987654321 ")

    assert payload == {
        "messaging_product": "whatsapp",
        "to": "5511987654321",
        "type": "text",
        "text": {
            "body": "Pit Stop: Coca-Cola 350ml can is low (3 left)\n"
            "• DRK-001 Coca-Cola 350ml can: 3/12, order 69 "
            "(Distribuidora Bebidas Sul)"
        },
    }


def test_the_whatsapp_text_lists_ten_products_and_counts_the_rest():
    doc = sample("daily_summary.json")
    doc["low_stock"] = [low_item(n) for n in range(40)]

    text = decide.whatsapp_text(alert_for(DAILY_KEY, encoded(doc)))

    lines = text.splitlines()
    assert lines[0].endswith("40 products to restock")
    assert sum(line.startswith("• ") for line in lines) == 10
    assert "…and 30 more" in lines
    assert lines[-1] == "Order draft: orders/2026-11-27/daily-2026-11-27.csv"


@pytest.mark.parametrize("length", [2_000, 200_000])
def test_a_very_long_name_is_shortened_with_work_that_does_not_grow_with_it(
    length, monkeypatch
):
    """A name of 200,000 characters took 5.8 s: each character shaved off
    re-rendered the whole text. Now the work is the same for any length."""
    calls = []
    cut = text.cut
    monkeypatch.setattr(text, "cut", lambda *a: calls.append(a) or cut(*a))
    doc = sample("low_stock_event.json")
    doc["product"]["name"] = "Pão " * (length // 4)

    alert = alert_for(EVENT_KEY, json.dumps(doc).encode())

    assert len(alert.sms_text) <= 160 and len(alert.subject) <= 100
    assert alert.subject.endswith("… is low (3 left)")
    assert len(calls) < 400  # shrinking steps: bounded by the SMS, not the name
