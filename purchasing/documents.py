"""What a supplier receives for a purchase order: its PDF (ReportLab, like the
report), its CSV, and the e-mail that carries both, in the store's language
(the caller chooses it)."""

import io
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pitstop import csvsafe
from pitstop.money import money
from purchasing.models import PurchaseOrder, PurchaseOrderLine

STORE = "Pit Stop"
KEY_PREFIX = "orders/po/"
CSV_COLUMNS = ["order", "sku", "barcode", "name", "quantity", "unit_cost", "total"]
INK = colors.HexColor("#1f3a5f")
STRIPE = colors.HexColor("#eef3f8")
MARGIN = 18 * mm
STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("po_title", STYLES["Title"], textColor=INK, alignment=0)
BODY = STYLES["BodyText"]
CELL = ParagraphStyle("po_cell", BODY, fontSize=9, leading=11)
CELL_R = ParagraphStyle("po_cell_r", CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("po_head", CELL, fontName="Helvetica-Bold", textColor="white")
HEAD_R = ParagraphStyle("po_head_r", HEAD, alignment=TA_RIGHT)


def order_total(lines: Sequence[PurchaseOrderLine]) -> Decimal:
    return sum((line.line_total for line in lines), Decimal("0.00"))


def document_keys(order: PurchaseOrder) -> dict[str, str]:
    """orders/po/PO-<n>.pdf and .csv (DESIGN.md, Storage)."""
    return {ext: f"{KEY_PREFIX}{order.number}.{ext}" for ext in ("pdf", "csv")}


def order_csv(order: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> bytes:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        [
            order.number,
            line.product.sku,
            line.product.barcode,
            line.product.name,
            line.ordered,
            line.unit_cost,
            line.line_total,
        ]
        for line in lines
    )
    return out.getvalue().encode()


def order_pdf(order: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> bytes:
    out = io.BytesIO()
    heading = _("%(store)s — purchase order %(number)s") % {
        "store": STORE,
        "number": order.number,
    }
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=heading,
        author=STORE,
    )
    sent = timezone.localtime(order.sent_at or timezone.now())
    facts = [
        _("Supplier: %(name)s <%(email)s>")
        % {"name": order.supplier.name, "email": order.supplier.email},
        _("Date: %(date)s · expected delivery: %(expected)s")
        % {"date": f"{sent:%d/%m/%Y}", "expected": _date(order.expected_on)},
    ]
    if order.note:
        facts.append(_("Note: %(note)s") % {"note": order.note})
    header = [_("SKU"), _("Barcode"), _("Product"), _("Qty"), _("Unit cost")]
    header.append(_("Total"))
    rows = [
        [
            line.product.sku,
            line.product.barcode,
            line.product.name,
            f"{line.ordered:,}",
            money(line.unit_cost),
            money(line.line_total),
        ]
        for line in lines
    ]
    rows.append(["", "", _("Total"), "", "", money(order_total(lines))])
    story = [
        Paragraph(escape(heading), TITLE),
        *(Paragraph(escape(fact), BODY) for fact in facts),
        Spacer(1, 5 * mm),
        _table(header, rows),
    ]
    doc.build(story)
    return out.getvalue()


def order_email(
    order: PurchaseOrder,
    lines: Sequence[PurchaseOrderLine],
    *,
    pdf: bytes,
    csv: bytes,
) -> EmailMessage:
    """The e-mail to the supplier, with the PDF and the CSV attached."""
    keys = document_keys(order)
    units = sum(line.ordered for line in lines)
    body = "\n".join(
        [
            _("Hello %(supplier)s,") % {"supplier": order.supplier.name},
            "",
            _(
                "Please deliver our purchase order %(number)s: %(lines)d line(s), "
                "%(units)d unit(s), %(total)s, by %(expected)s."
            )
            % {
                "number": order.number,
                "lines": len(lines),
                "units": units,
                "total": money(order_total(lines)),
                "expected": _date(order.expected_on),
            },
            _("The order is attached as PDF and as CSV."),
            *([order.note] if order.note else []),
            "",
            "-- " + STORE,
        ]
    )
    message = EmailMessage(
        subject=_("Purchase order %(number)s from %(store)s")
        % {"number": order.number, "store": STORE},
        body=body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.supplier.email],
    )
    message.attach(keys["pdf"].rsplit("/", 1)[-1], pdf, "application/pdf")
    message.attach(keys["csv"].rsplit("/", 1)[-1], csv, "text/csv")
    return message


def _date(day) -> str:
    return f"{day:%d/%m/%Y}" if day else "-"


def _table(header: list[str], rows: list[list[str]]) -> Table:
    right = {3, 4, 5}

    def cells(row, left, rt):
        return [
            Paragraph(escape(str(v)), rt if i in right else left)
            for i, v in enumerate(row)
        ]

    grid = [cells(header, HEAD, HEAD_R), *(cells(r, CELL, CELL_R) for r in rows)]
    widths = [24 * mm, 30 * mm, None, 14 * mm, 24 * mm, 26 * mm]
    fill = A4[0] - 2 * MARGIN - sum(w for w in widths if w)
    table = Table(grid, colWidths=[w or fill for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), INK),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, STRIPE]),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table
