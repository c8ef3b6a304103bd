"""The words of an alert: e-mail bodies, the SMS, subjects, money.

The function has no Django, so no gettext catalogue: its few sentences are in
TEXTS, Portuguese (the store's, the default) and English, chosen by the
store's language (STORE_LANGUAGE on Lambda, PITSTOP_LANGUAGE in local mode).
Money and dates come from l10n, the same code the app writes them with.
"""

import datetime
import unicodedata
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal

from lambda_alert import l10n
from lambda_alert.parse import Draft, Expiring, Item, Report, Seller

SUBJECT_MAX = 100  # SNS refuses a longer Subject
SMS_MAX = 160  # one SMS segment in the GSM 7-bit alphabet
SMS_ITEMS = 3
TOP_SELLERS = 5
EMAIL_ROWS_MAX = 200  # an SNS message stops at 256 KB; restock.csv lists them all
NAME_COLUMN_MAX = 40

PT, EN = l10n.PORTUGUESE, l10n.ENGLISH
TEXTS: dict[str, dict[str, str]] = {
    # digest
    "report_daily": {PT: "relatório diário", EN: "daily report"},
    "report_weekly": {PT: "relatório semanal", EN: "weekly report"},
    "revenue": {PT: "Faturamento", EN: "Revenue"},
    "sales": {PT: "Vendas", EN: "Sales"},
    "units": {PT: "({units} unidades)", EN: "({units} units)"},
    "average_ticket": {PT: "Ticket médio", EN: "Average ticket"},
    "voided": {PT: "Canceladas", EN: "Voided"},
    "waste": {PT: "Perdas (a custo)", EN: "Waste (at cost)"},
    "voided_sales_1": {PT: "1 venda, {total}", EN: "1 sale, {total}"},
    "voided_sales_n": {PT: "{count} vendas, {total}", EN: "{count} sales, {total}"},
    "top_sellers": {PT: "Mais vendidos", EN: "Top sellers"},
    "sku": {PT: "SKU", EN: "SKU"},
    "product": {PT: "Produto", EN: "Product"},
    "qty": {PT: "Qtd", EN: "Qty"},
    "stock": {PT: "Estoque", EN: "Stock"},
    "reorder_point": {PT: "Ponto de pedido", EN: "Reorder point"},
    "par_level": {PT: "Estoque ideal", EN: "Par level"},
    "order": {PT: "Pedir", EN: "Order"},
    "supplier": {PT: "Fornecedor", EN: "Supplier"},
    "on_order": {PT: "Em pedido", EN: "On order"},
    "nothing_to_restock_long": {
        PT: "Nada a repor: todos os produtos estão acima do ponto de pedido.",
        EN: "Nothing to restock: every product is above its reorder point.",
    },
    "to_restock": {
        PT: "A repor ({count}), mais urgentes primeiro",
        EN: "To restock ({count}), most urgent first",
    },
    "more_see_csv": {
        PT: "…e mais {count}: veja restock.csv",
        EN: "…and {count} more: see restock.csv",
    },
    "order_file": {
        PT: "Pedido de reposição (CSV, mesmo bucket): {key}",
        EN: "Replenishment order (CSV, same bucket): {key}",
    },
    "files": {PT: "Arquivos:", EN: "Files:"},
    "restock_1": {PT: "1 produto a repor", EN: "1 product to restock"},
    "restock_n": {PT: "{count} produtos a repor", EN: "{count} products to restock"},
    "restock_0": {PT: "nada a repor", EN: "nothing to restock"},
    "sms_sales": {PT: "{count} vendas", EN: "{count} sales"},
    "sms_low": {PT: "{count} com estoque baixo", EN: "{count} low"},
    # a low-stock event
    "after_sale": {PT: " após uma venda", EN: " after a sale"},
    "reached": {
        PT: "{name} ({sku}) chegou ao ponto de pedido em {at}{why}.",
        EN: "{name} ({sku}) reached its reorder point at {at}{why}.",
    },
    "sold_a_day": {PT: "Vendas por dia", EN: "Sold a day"},
    "velocity": {PT: "{velocity} (últimos 28 dias)", EN: "{velocity} (last 28 days)"},
    "days_of_cover": {PT: "Dias de cobertura", EN: "Days of cover"},
    "already_on_order": {
        PT: "{qty} já em pedido: nada mais a pedir.",
        EN: "{qty} already on order: nothing more to order.",
    },
    "at_par": {
        PT: "O estoque está no nível ideal: nada a pedir.",
        EN: "Stock is at its par level: nothing to order.",
    },
    "order_from": {
        PT: "Pedido sugerido: {qty}, fornecedor {supplier}{email}, "
        "para voltar a {par}.",
        EN: "Order {qty} from {supplier}{email} to bring it back to {par}.",
    },
    "order_no_supplier": {
        PT: "Pedido sugerido: {qty} (sem fornecedor cadastrado), para voltar a {par}.",
        EN: "Order {qty} (no supplier on file) to bring it back to {par}.",
    },
    "out_of_stock": {PT: "está sem estoque", EN: "is out of stock"},
    "is_low": {PT: "está acabando ({stock} em estoque)", EN: "is low ({stock} left)"},
    "sms_order": {PT: ", pedir {qty}", EN: ", order {qty}"},
    "sms_from": {PT: ": {supplier}", EN: " from {supplier}"},
    # purchase orders to approve, in the digest
    "drafts": {
        PT: "Pedidos de compra para aprovar (admin: Pedidos de compra)",
        EN: "Purchase orders to approve (admin: Purchase orders)",
    },
    "draft_1": {
        PT: "{number} {supplier}, 1 linha, {total}",
        EN: "{number} {supplier}, 1 line, {total}",
    },
    "draft_n": {
        PT: "{number} {supplier}, {lines} linhas, {total}",
        EN: "{number} {supplier}, {lines} lines, {total}",
    },
    "below_minimum": {
        PT: " - abaixo do pedido mínimo de {minimum}: não enviar ainda",
        EN: " - below the minimum order of {minimum}: not to send yet",
    },
    # lots expiring (the manifest's `expiring`), counted per day
    "expire_today_1": {
        PT: "1 lote vence hoje: {lots}",
        EN: "1 lot expires today: {lots}",
    },
    "expire_today_n": {
        PT: "{count} lotes vencem hoje: {lots}",
        EN: "{count} lots expire today: {lots}",
    },
    "expire_tomorrow_1": {
        PT: "1 lote vence amanhã: {lots}",
        EN: "1 lot expires tomorrow: {lots}",
    },
    "expire_tomorrow_n": {
        PT: "{count} lotes vencem amanhã: {lots}",
        EN: "{count} lots expire tomorrow: {lots}",
    },
    "expire_on_1": {
        PT: "1 lote vence em {date}: {lots}",
        EN: "1 lot expires on {date}: {lots}",
    },
    "expire_on_n": {
        PT: "{count} lotes vencem em {date}: {lots}",
        EN: "{count} lots expire on {date}: {lots}",
    },
    "lot_units_1": {PT: "{name} (1 unidade)", EN: "{name} (1 unit)"},
    "lot_units_n": {PT: "{name} ({qty} unidades)", EN: "{name} ({qty} units)"},
    "expiring_hint": {
        PT: "Remarque o preço ou retire da prateleira; o que vencer, dê baixa "
        "como perda (admin: Lotes).",
        EN: "Mark them down or take them off the shelf; write off what expires "
        "as waste (admin: Lots).",
    },
    "sms_expiring_1": {PT: "; 1 lote vencendo", EN: "; 1 lot expiring"},
    "sms_expiring_n": {PT: "; {count} lotes vencendo", EN: "; {count} lots expiring"},
    # chat
    "chat_order": {PT: "pedir {qty}", EN: "order {qty}"},
    "chat_more": {PT: "…e mais {count}", EN: "…and {count} more"},
    "chat_draft": {PT: "Rascunho do pedido: {key}", EN: "Order draft: {key}"},
}


def t(lang: str, name: str, /, **params: object) -> str:
    """TEXTS[name] in the language, its {fields} filled in."""
    return TEXTS[name][l10n.language(lang)].format(**params)


def money(amount: Decimal, lang: str, currency: str) -> str:
    """R$ 2.201,30 (pt-BR) or R$ 2,201.30 (en), from a Decimal (never a float)."""
    return l10n.money(amount, currency=currency, lang=lang)


def report_name(kind: str, lang: str) -> str:
    """ "relatório diário" / "weekly report" ..."""
    return t(lang, f"report_{kind}")


def period_label(period: str, lang: str) -> str:
    """A day as the store writes dates (27/11/2026); an ISO week as is."""
    if len(period) != len("2026-11-27"):  # fromisoformat reads 2026-W48 too
        return period
    return l10n.date(datetime.date.fromisoformat(period), lang=lang)


def digest_email(
    report: Report,
    items: Sequence[Item],
    order_key: str | None,
    store: str,
    lang: str = PT,
    currency: str = "BRL",
) -> str:
    """The period's numbers, its top sellers and what to restock, as plain text."""
    units = (
        " " + t(lang, "units", units=report.units) if report.units is not None else ""
    )
    numbers = [
        [t(lang, "revenue"), money(report.revenue, lang, currency)],
        [t(lang, "sales"), f"{report.sales}{units}"],
        [t(lang, "average_ticket"), money(report.average_ticket, lang, currency)],
    ]
    if report.voided_sales:
        total = money(report.voided_total, lang, currency)
        key = "voided_sales_1" if report.voided_sales == 1 else "voided_sales_n"
        numbers.append(
            [t(lang, "voided"), t(lang, key, count=report.voided_sales, total=total)]
        )
    if report.waste:
        numbers.append([t(lang, "waste"), money(report.waste, lang, currency)])
    period = period_label(report.period, lang)
    lines = [
        f"{store} {report_name(report.kind, lang)} {period} ({report.time_zone})",
        "",
        *table(numbers, header=False),
    ]
    if report.expiring:
        lines += [
            "",
            *expiring_lines(report.expiring, morning(report), lang),
            t(lang, "expiring_hint"),
        ]
    if report.top:
        top = _seller_rows(report.top[:TOP_SELLERS], lang, currency)
        lines += ["", t(lang, "top_sellers"), *table(top, right={2, 3})]
    lines += ["", *_restock_lines(items, lang)]
    if report.drafts:
        lines += ["", *_draft_lines(report.drafts, lang, currency)]
    if order_key:
        lines += ["", t(lang, "order_file", key=order_key)]
    if report.files:
        lines += ["", t(lang, "files"), *(f"  {key}" for key in report.files.values())]
    return "\n".join(lines) + "\n"


def expiring_lines(
    lots: Sequence[Expiring], today: datetime.date, lang: str = PT
) -> list[str]:
    """One sentence per expiry day, soonest first: "3 lots expire tomorrow:
    Milk 1L (6 units), …", `today` being the morning the digest is read."""
    days: dict[datetime.date, list[Expiring]] = {}
    for lot in sorted(lots, key=lambda lot: (lot.expires_on, lot.name, lot.sku)):
        days.setdefault(lot.expires_on, []).append(lot)
    lines = []
    for day, listed in days.items():
        when = {0: "today", 1: "tomorrow"}.get((day - today).days, "on")
        count = len(listed)
        named = ", ".join(
            t(
                lang,
                "lot_units_1" if lot.qty == 1 else "lot_units_n",
                name=lot.name,
                qty=lot.qty,
            )
            for lot in listed
        )
        key = f"expire_{when}_{'1' if count == 1 else 'n'}"
        lines.append(
            t(lang, key, count=count, lots=named, date=l10n.date(day, lang=lang))
        )
    return lines


def event_email(
    item: Item,
    opened_at: datetime.datetime,
    reason: str,
    store: str,
    lang: str = PT,
) -> str:
    """One product's levels and what to order, as plain text."""
    why = (
        t(lang, "after_sale") if reason == "sale" else f" ({reason})" if reason else ""
    )
    levels = [
        [t(lang, "stock"), str(item.stock)],
        [t(lang, "reorder_point"), str(item.reorder_point)],
        [t(lang, "par_level"), str(item.par_level)],
    ]
    if item.on_order:
        levels.append([t(lang, "on_order"), str(item.on_order)])
    if item.velocity:
        velocity = _decimal(item.velocity, lang)
        levels.append([t(lang, "sold_a_day"), t(lang, "velocity", velocity=velocity)])
    if item.days_of_cover is not None:
        levels.append([t(lang, "days_of_cover"), _decimal(item.days_of_cover, lang)])
    at = l10n.date_time(opened_at, lang=lang)
    lines = [
        t(lang, "reached", name=item.name, sku=item.sku, at=at, why=why),
        "",
        *table(levels, header=False),
        "",
    ]
    # What stock, with what is on order and this order, comes back to.
    level = item.stock + item.on_order + item.suggested_qty
    if item.suggested_qty <= 0 and item.on_order:
        lines.append(t(lang, "already_on_order", qty=item.on_order))
    elif item.suggested_qty <= 0:
        lines.append(t(lang, "at_par"))
    elif item.supplier:
        email = f" <{item.supplier_email}>" if item.supplier_email else ""
        lines.append(
            t(
                lang,
                "order_from",
                qty=item.suggested_qty,
                supplier=item.supplier,
                email=email,
                par=level,
            )
        )
    else:
        lines.append(t(lang, "order_no_supplier", qty=item.suggested_qty, par=level))
    lines += ["", f"-- {store}"]
    return "\n".join(lines) + "\n"


def chat_line(item: Item, lang: str = PT) -> str:
    """One product for a chat message, full name and supplier."""
    supplier = f" ({item.supplier})" if item.supplier else ""
    order = t(lang, "chat_order", qty=item.suggested_qty)
    return (
        f"• {item.sku} {item.name}: {item.stock}/{item.reorder_point}, "
        f"{order}{supplier}"
    )


def sms(head: str, items: Sequence[Item], tail: str = "") -> str:
    """head, then the most urgent items as "sku name stock/reorder_point", then
    tail, in one SMS: the tail goes first, then names shrink, longest first."""
    head, tail = ascii_only(head), ascii_only(tail)
    urgent = items[:SMS_ITEMS]
    # No name longer than the SMS can be shown whole: cut once, up front, so
    # shrinking below takes at most SMS_MAX steps whatever the name's length.
    names = [ascii_only(item.name)[: SMS_MAX + 1] for item in urgent]
    skus = [ascii_only(item.sku)[: SMS_MAX + 1] for item in urgent]
    widths = [len(name) for name in names]

    def render() -> str:
        parts = [
            " ".join(
                part
                for part in (
                    sku,
                    cut(name, width, "."),
                    f"{item.stock}/{item.reorder_point}",
                )
                if part
            )
            for item, sku, name, width in zip(urgent, skus, names, widths, strict=True)
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
    name = name[: SUBJECT_MAX + 1]  # at most SUBJECT_MAX steps below
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


def _seller_rows(top: Sequence[Seller], lang: str, currency: str) -> list[list[str]]:
    rows = [[t(lang, k) for k in ("sku", "product", "qty", "revenue")]]
    rows += [
        [
            s.sku,
            cut(s.name, NAME_COLUMN_MAX),
            str(s.qty),
            money(s.revenue, lang, currency),
        ]
        for s in top
    ]
    return rows


def _restock_lines(items: Sequence[Item], lang: str) -> list[str]:
    if not items:
        return [t(lang, "nothing_to_restock_long")]
    shown = items[:EMAIL_ROWS_MAX]
    heads = ("sku", "product", "stock", "reorder_point", "on_order", "order")
    rows = [[t(lang, k) for k in (*heads, "supplier")]]
    rows += [
        [
            item.sku,
            cut(item.name, NAME_COLUMN_MAX),
            str(item.stock),
            str(item.reorder_point),
            str(item.on_order),
            str(item.suggested_qty),
            item.supplier or "-",
        ]
        for item in shown
    ]
    lines = [t(lang, "to_restock", count=len(items)), *table(rows, {2, 3, 4, 5})]
    if len(items) > len(shown):
        lines.append("  " + t(lang, "more_see_csv", count=len(items) - len(shown)))
    return lines


def _draft_lines(drafts: Sequence[Draft], lang: str, currency: str) -> list[str]:
    """One line per draft purchase order, flagged when under the supplier's
    minimum order (it is not to be sent as it stands)."""
    lines = [t(lang, "drafts")]
    for draft in drafts:
        key = "draft_1" if draft.lines == 1 else "draft_n"
        total = money(draft.total, lang, currency)
        line = t(
            lang,
            key,
            number=draft.number,
            supplier=draft.supplier,
            lines=draft.lines,
            total=total,
        )
        if draft.below_minimum:
            minimum = money(draft.min_order_value, lang, currency)
            line += t(lang, "below_minimum", minimum=minimum)
        lines.append("  " + line)
    return lines


def morning(report: Report) -> datetime.date:
    """The day a report is read: the day after its period (a week's: the
    Monday after)."""
    if len(report.period) == len("2026-11-27"):
        last = datetime.date.fromisoformat(report.period)
    else:
        year, week = report.period.split("-W")
        last = datetime.date.fromisocalendar(int(year), int(week), 7)
    return last + datetime.timedelta(days=1)


def _decimal(value: Decimal, lang: str) -> str:
    """6,50 (pt-BR) or 6.50 (en)."""
    text = str(value)
    return text.replace(".", ",") if l10n.language(lang) == PT else text
