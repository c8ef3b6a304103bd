"""The words of an alert: e-mail bodies, the SMS, subjects, money."""

import datetime
import unicodedata
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal

from lambda_alert.parse import Item, Report, Seller

SUBJECT_MAX = 100  # SNS refuses a longer Subject
SMS_MAX = 160  # one SMS segment in the GSM 7-bit alphabet
SMS_ITEMS = 3
TOP_SELLERS = 5
EMAIL_ROWS_MAX = 200  # an SNS message stops at 256 KB; restock.csv lists them all
NAME_COLUMN_MAX = 40


def brl(amount: Decimal) -> str:
    """R$ 2,201.30 from a Decimal (never a float)."""
    return f"R$ {amount:,.2f}"


def digest_email(
    report: Report, items: Sequence[Item], order_key: str | None, store: str
) -> str:
    """The period's numbers, its top sellers and what to restock, as plain text."""
    units = f" ({report.units} units)" if report.units is not None else ""
    numbers = [
        ["Revenue", brl(report.revenue)],
        ["Sales", f"{report.sales}{units}"],
        ["Average ticket", brl(report.average_ticket)],
    ]
    if report.voided_sales:
        plural = "" if report.voided_sales == 1 else "s"
        voided = f"{report.voided_sales} sale{plural}, {brl(report.voided_total)}"
        numbers.append(["Voided", voided])
    lines = [
        f"{store} {report.kind} report {report.period} ({report.time_zone})",
        "",
        *table(numbers, header=False),
    ]
    if report.top:
        top = _seller_rows(report.top[:TOP_SELLERS])
        lines += ["", "Top sellers", *table(top, right={2, 3})]
    lines += ["", *_restock_lines(items)]
    if order_key:
        lines += ["", f"Replenishment order (CSV, same bucket): {order_key}"]
    if report.files:
        lines += ["", "Files:", *(f"  {key}" for key in report.files.values())]
    return "\n".join(lines) + "\n"


def event_email(
    item: Item, opened_at: datetime.datetime, reason: str, store: str
) -> str:
    """One product's levels and what to order, as plain text."""
    why = " after a sale" if reason == "sale" else f" ({reason})" if reason else ""
    levels = [
        ["Stock", str(item.stock)],
        ["Reorder point", str(item.reorder_point)],
        ["Par level", str(item.par_level)],
    ]
    lines = [
        f"{item.name} ({item.sku}) reached its reorder point at "
        f"{opened_at:%Y-%m-%d %H:%M}{why}.",
        "",
        *table(levels, header=False),
        "",
    ]
    if item.suggested_qty <= 0:
        lines.append("Stock is at its par level: nothing to order.")
    else:
        source = f" from {item.supplier}" if item.supplier else " (no supplier on file)"
        email = f" <{item.supplier_email}>" if item.supplier_email else ""
        lines.append(
            f"Order {item.suggested_qty}{source}{email} "
            f"to bring it back to {item.par_level}."
        )
    lines += ["", f"-- {store}"]
    return "\n".join(lines) + "\n"


def chat_line(item: Item) -> str:
    """One product for a chat message, full name and supplier."""
    supplier = f" ({item.supplier})" if item.supplier else ""
    return (
        f"• {item.sku} {item.name}: {item.stock}/{item.reorder_point}, "
        f"order {item.suggested_qty}{supplier}"
    )


def sms(head: str, items: Sequence[Item], tail: str = "") -> str:
    """head, then the most urgent items as "sku name stock/reorder_point", then
    tail, in one SMS: the tail goes first, then names shrink, longest first."""
    head, tail = ascii_only(head), ascii_only(tail)
    urgent = items[:SMS_ITEMS]
    names = [ascii_only(item.name) for item in urgent]
    widths = [len(name) for name in names]

    def render() -> str:
        parts = [
            " ".join(
                part
                for part in (
                    ascii_only(item.sku),
                    cut(name, width, "."),
                    f"{item.stock}/{item.reorder_point}",
                )
                if part
            )
            for item, name, width in zip(urgent, names, widths, strict=True)
        ]
        return head + (": " + "; ".join(parts) if parts else "")

    if len(text := render() + tail) <= SMS_MAX:
        return text
    text = render()
    while len(text) > SMS_MAX and any(widths):
        widest = widths.index(max(widths))
        widths[widest] -= 1
        text = render()
    return text[:SMS_MAX]  # a store name or skus too long for names to make room


def fitted(make: Callable[[str], str], name: str) -> str:
    """make(name), name shortened until the subject fits SNS's limit."""
    width = len(name)
    while len(subject := make(cut(name, width))) > SUBJECT_MAX and width > 0:
        width -= 1
    return subject[:SUBJECT_MAX]


def table(
    rows: Sequence[Sequence[str]], right: Collection[int] = (), header: bool = True
) -> list[str]:
    """Rows as aligned columns (right: right-aligned), a rule under the header."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.rjust(width) if c in right else cell.ljust(width)
            for c, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    if header:
        lines.insert(1, "  ".join("-" * width for width in widths))
    return [f"  {line}" for line in lines]


def cut(text: str, width: int, mark: str = "…") -> str:
    """text, shortened to width characters with mark at the end if it had to be."""
    if len(text) <= width:
        return text
    if width <= len(mark):
        return ""
    return text[: width - len(mark)].rstrip() + mark


def ascii_only(text: str) -> str:
    """Accents dropped ("Pão" to "Pao"): one accent would make an SMS Unicode,
    which holds 70 characters a segment instead of 160."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _seller_rows(top: Sequence[Seller]) -> list[list[str]]:
    rows = [["SKU", "Product", "Qty", "Revenue"]]
    rows += [
        [s.sku, cut(s.name, NAME_COLUMN_MAX), str(s.qty), brl(s.revenue)] for s in top
    ]
    return rows


def _restock_lines(items: Sequence[Item]) -> list[str]:
    if not items:
        return ["Nothing to restock: every product is above its reorder point."]
    shown = items[:EMAIL_ROWS_MAX]
    rows = [["SKU", "Product", "Stock", "Reorder point", "Order", "Supplier"]]
    rows += [
        [
            item.sku,
            cut(item.name, NAME_COLUMN_MAX),
            str(item.stock),
            str(item.reorder_point),
            str(item.suggested_qty),
            item.supplier or "-",
        ]
        for item in shown
    ]
    lines = [f"To restock ({len(items)}), most urgent first", *table(rows, {2, 3, 4})]
    if len(items) > len(shown):
        lines.append(f"  …and {len(items) - len(shown)} more: see restock.csv")
    return lines
