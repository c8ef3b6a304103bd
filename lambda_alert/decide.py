"""What to tell the store manager about a new report manifest or low-stock event.

Pure functions, no I/O and no boto3: the Lambda handler and the Django app's
local alert mode both call `alert_for`, `marker_key`, `marker_record` and
`whatsapp_payload`, so both send the same words.
"""

import datetime
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from fractions import Fraction
from typing import Any

from lambda_alert import csvsafe, l10n, parse, text
from lambda_alert.parse import Item, Malformed

__all__ = [
    "Alert",
    "Item",
    "Malformed",
    "alert_for",
    "key_day",
    "key_kind",
    "marker_key",
    "marker_record",
    "marker_version",
    "whatsapp_payload",
    "whatsapp_text",
]

STORE = "Pit Stop"
CURRENCY = "BRL"
IMMEDIATE = "immediate"  # a low-stock event: one product just crossed
DIGEST = "digest"  # a report manifest: the period's numbers and all that is low
SENDING, SENT, MALFORMED = "sending", "sent", "malformed"  # marker statuses
MARKER_PREFIX = "alerts/sent/"
ORDER_PREFIX = "orders/"
ORDER_COLUMNS = [
    "supplier",
    "supplier_email",
    "sku",
    "name",
    "stock",
    "par_level",
    "quantity",
    "on_order",
]
WHATSAPP_ITEMS = 10
WHATSAPP_MAX = 4096  # the Cloud API's limit for a text body

_DAILY = re.compile(r"reports/(daily)/((\d{4}-\d{2}-\d{2}))/summary\.json")
_WEEKLY = re.compile(r"reports/(weekly)/((\d{4})-W(\d{2}))/summary\.json")
_EVENT = re.compile(r"events/low-stock/(\d{4}-\d{2}-\d{2})/[^/]+\.json")


@dataclass(frozen=True)
class Alert:
    """What to send about one S3 object, the same for Lambda and the local mode."""

    kind: str  # IMMEDIATE (low-stock event) or DIGEST (report manifest)
    source_key: str
    day: str  # YYYY-MM-DD; a week's report belongs to its Sunday
    subject: str  # one line, at most 100 characters (SNS)
    email_body: str
    sms_text: str  # ASCII, at most 160 characters
    items: tuple[Item, ...]  # most urgent first
    order_csv: bytes | None = None  # a digest with something to order
    order_key: str | None = None  # orders/<day>/<daily|weekly>-<period>.csv
    language: str = l10n.PORTUGUESE  # of the texts
    expiring: tuple[str, ...] = ()  # a digest's "3 lots expire tomorrow: …"


# ------------------------------------------------------------------------------
# Keys and markers
# ------------------------------------------------------------------------------


def key_kind(key: str) -> str | None:
    """ "manifest", "event", or None for a key the function does not alert on."""
    if _DAILY.fullmatch(key) or _WEEKLY.fullmatch(key):
        return "manifest"
    if _EVENT.fullmatch(key):
        return "event"
    return None


def key_day(key: str) -> str | None:
    """The YYYY-MM-DD a manifest or event key belongs to (a week: its Sunday)."""
    try:
        if match := _DAILY.fullmatch(key):
            return datetime.date.fromisoformat(match[3]).isoformat()
        if match := _EVENT.fullmatch(key):
            return datetime.date.fromisoformat(match[1]).isoformat()
        if match := _WEEKLY.fullmatch(key):
            sunday = datetime.date.fromisocalendar(int(match[3]), int(match[4]), 7)
            return sunday.isoformat()
    except ValueError:
        pass  # shaped like ours but no real date, e.g. 2026-02-30 or week 54
    return None


def marker_key(bucket: str, key: str, etag: str) -> str:
    """alerts/sent/<day or 'unknown'>/<sha256(bucket/key/etag)[:40]>.json."""
    # S3 quotes ETags in responses but not in event records: same object, same key.
    etag = etag.strip('"')
    digest = hashlib.sha256(f"{bucket}/{key}/{etag}".encode()).hexdigest()[:40]
    return f"{MARKER_PREFIX}{key_day(key) or 'unknown'}/{digest}.json"


def marker_version(alert: Alert, etag: str) -> str:
    """What makes an alert new: a low-stock event's object version (its ETag);
    a digest's list of low products, so that a report built again sends no
    second digest unless what is low changed."""
    if alert.kind != DIGEST:
        return etag
    # default=str: an item's velocity and days of cover are decimals.
    listed = json.dumps([astuple(item) for item in alert.items], default=str)
    return "low-stock:" + hashlib.sha256(listed.encode()).hexdigest()


def marker_record(
    *,
    source_key: str,
    sent_at: datetime.datetime,
    alert: Alert | None = None,
    status: str = SENT,
    channels: Sequence[str] = (),
    error: str = "",
) -> dict[str, Any]:
    """The JSON body of a marker: what was sent about source_key, and when."""
    return {
        "schema": parse.SCHEMA,
        "status": status,
        "source_key": source_key,
        "kind": alert.kind if alert else None,
        "day": alert.day if alert else key_day(source_key),
        "subject": alert.subject if alert else None,
        "sms_text": alert.sms_text if alert else None,
        "items": len(alert.items) if alert else 0,
        "order_key": alert.order_key if alert else None,
        "sent_at": sent_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "channels": list(channels),
        "error": error,
    }


# ------------------------------------------------------------------------------
# Alerts
# ------------------------------------------------------------------------------


def alert_for(
    key: str,
    body: bytes,
    *,
    store: str = STORE,
    language: str = l10n.PORTUGUESE,
    currency: str = CURRENCY,
) -> Alert | None:
    """The alert for a manifest or low-stock event, in the store's language
    (pt-br or en); None for any other key."""
    kind = key_kind(key)
    if kind is None:
        return None
    day = key_day(key)
    if day is None:
        raise Malformed(f"{key} names no real day or week")
    store = parse.clean(store) or STORE
    lang = l10n.language(language)
    doc = parse.document(body)
    if kind == "event":
        return _event_alert(key, day, parse.event(doc), store, lang)
    match = _DAILY.fullmatch(key) or _WEEKLY.fullmatch(key)
    report = parse.report(doc, kind=match[1], period=match[2])
    return _digest_alert(key, day, report, store, lang, currency)


def whatsapp_text(alert: Alert) -> str:
    """A chat message: the subject, then the most urgent products, one a line."""
    shown = alert.items[:WHATSAPP_ITEMS]
    lang = alert.language
    lines = [alert.subject, *alert.expiring]
    lines += [text.chat_line(item, lang) for item in shown]
    if more := len(alert.items) - len(shown):
        lines.append(text.t(lang, "chat_more", count=more))
    if alert.order_key:
        lines.append(text.t(lang, "chat_draft", key=alert.order_key))
    return "\n".join(lines)[:WHATSAPP_MAX]


def whatsapp_payload(alert: Alert, to: str) -> dict[str, Any]:
    """A WhatsApp Cloud API text message to one number (digits with country code)."""
    return {
        "messaging_product": "whatsapp",
        "to": to.strip(),
        "type": "text",
        "text": {"body": whatsapp_text(alert)},
    }


def _event_alert(
    key: str, day: str, event: parse.Event, store: str, lang: str
) -> Alert:
    item = event.item
    state = (
        text.t(lang, "out_of_stock")
        if item.stock <= 0
        else text.t(lang, "is_low", stock=item.stock)
    )
    order = (
        text.t(lang, "sms_order", qty=item.suggested_qty)
        if item.suggested_qty > 0
        else ""
    )
    supplier = (
        text.t(lang, "sms_from", supplier=item.supplier)
        if order and item.supplier
        else ""
    )
    return Alert(
        kind=IMMEDIATE,
        source_key=key,
        day=day,
        subject=text.fitted(lambda name: f"{store}: {name} {state}", item.name),
        email_body=text.event_email(item, event.opened_at, event.reason, store, lang),
        sms_text=text.sms(
            f"{store}: {text.t(lang, 'sms_low', count=1)}",
            (item,),
            tail=order + supplier,
        ),
        items=(item,),
        language=lang,
    )


def _digest_alert(
    key: str, day: str, report: parse.Report, store: str, lang: str, currency: str
) -> Alert:
    items = tuple(sorted(report.items, key=_urgency))
    order = _order_csv(items)
    order_key = f"{ORDER_PREFIX}{day}/{report.kind}-{report.period}.csv"
    if order is None:
        order_key = None
    count = len(items)
    restock = text.t(
        lang,
        "restock_0" if not count else "restock_1" if count == 1 else "restock_n",
        count=count,
    )
    revenue = text.money(report.revenue, lang, currency)
    period = text.period_label(report.period, lang)
    label = f"{text.report_name(report.kind, lang)} {period}: {revenue}, {restock}"
    head = f"{store} {period}: {revenue}"
    if not count:
        head += ", " + text.t(lang, "sms_sales", count=report.sales)
    expiring = text.expiring_lines(report.expiring, text.morning(report), lang)
    lots = len(report.expiring)
    return Alert(
        kind=DIGEST,
        source_key=key,
        day=day,
        subject=text.fitted(lambda name: f"{name} {label}", store),
        email_body=text.digest_email(report, items, order_key, store, lang, currency),
        sms_text=text.sms(
            f"{head}, {text.t(lang, 'sms_low', count=count)}",
            items,
            tail=text.t(lang, f"sms_expiring_{'1' if lots == 1 else 'n'}", count=lots)
            if lots
            else "",
        ),
        items=items,
        order_csv=order,
        order_key=order_key,
        language=lang,
        expiring=tuple(expiring),
    )


def _urgency(item: Item) -> tuple[Fraction, int, str]:
    """Lowest stock relative to the reorder point first, then lowest stock."""
    if item.reorder_point > 0:
        ratio = Fraction(item.stock, item.reorder_point)
    else:  # no reorder point: only an empty shelf is urgent
        ratio = Fraction(max(item.stock, 0))
    return ratio, item.stock, item.sku


def _order_csv(items: Sequence[Item]) -> bytes | None:
    """The replenishment order, grouped by supplier; None when nothing to order."""
    lines = sorted(
        (item for item in items if item.suggested_qty > 0),
        # Products with no supplier on file go last, for the manager to place.
        key=lambda item: (item.supplier == "", item.supplier, item.sku),
    )
    if not lines:
        return None
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(ORDER_COLUMNS)
    writer.writerows(
        [
            item.supplier,
            item.supplier_email,
            item.sku,
            item.name,
            item.stock,
            item.par_level,
            item.suggested_qty,
            item.on_order,
        ]
        for item in lines
    )
    return out.getvalue().encode()
