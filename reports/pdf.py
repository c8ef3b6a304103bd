"""The report as a PDF: ReportLab platypus for the layout, ReportLab's own
graphics for the charts. Reads only what ReportData holds, so memory stays
bounded whatever the number of sales. Written in the store's language
(PITSTOP_LANGUAGE), whoever asked for it."""

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lambda_alert.l10n import symbol
from pitstop.money import money
from reports.selectors import EXPIRING_DAYS, ProductSales, ReportData

INK = colors.HexColor("#1f3a5f")
BAR = colors.HexColor("#2f7dbf")
STRIPE = colors.HexColor("#eef3f8")
RULE = colors.HexColor("#c7d2de")
MUTED = colors.HexColor("#555555")
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN

STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("title", STYLES["Title"], textColor=INK, alignment=0)
H2 = ParagraphStyle("h2", STYLES["Heading2"], textColor=INK, spaceBefore=10)
BODY = STYLES["BodyText"]
CELL = ParagraphStyle("cell", BODY, fontSize=9, leading=11)
CELL_R = ParagraphStyle("cell_r", CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("head", CELL, fontName="Helvetica-Bold", textColor=colors.white)
HEAD_R = ParagraphStyle("head_r", HEAD, alignment=TA_RIGHT)
META = ParagraphStyle("meta", BODY, textColor=MUTED)


def title(data: ReportData) -> str:
    period = data.period
    if period.kind == "weekly":
        last = period.end - datetime.timedelta(days=1)  # end is exclusive
        return _("Pit Stop — weekly report %(week)s (%(first)s to %(last)s)") % {
            "week": period.label,
            "first": date_format(period.start, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT"),
        }
    return _("Pit Stop — daily report %(day)s") % {
        "day": date_format(period.start, "SHORT_DATE_FORMAT")
    }


def number(value: float) -> str:
    """1.234 in Portuguese, 1,234 in English: whole numbers, grouped."""
    return number_format(round(value), force_grouping=True)


def report_pdf(data: ReportData, out: BinaryIO) -> None:
    """Write the report's PDF to out, in the store's language."""
    with translation.override(settings.LANGUAGE_CODE):
        _report_pdf(data, out)


def _report_pdf(data: ReportData, out: BinaryIO) -> None:
    heading = title(data)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=heading,
        author="Pit Stop",
    )
    generated = timezone.localtime(data.generated_at, timezone.get_default_timezone())
    story: list[Flowable] = [
        Paragraph(escape(heading), TITLE),
        Paragraph(
            escape(
                _("Time zone %(zone)s · currency %(currency)s · generated %(at)s")
                % {
                    "zone": settings.TIME_ZONE,
                    "currency": settings.PITSTOP_CURRENCY,
                    "at": date_format(generated, "SHORT_DATETIME_FORMAT"),
                }
            ),
            META,
        ),
        Spacer(1, 4 * mm),
        totals_table(data),
    ]
    if not data.products:
        story += [Spacer(1, 6 * mm), Paragraph(_("No sales in this period."), BODY)]
    else:
        story += [
            section(
                _("Top sellers by revenue (%(symbol)s)")
                % {"symbol": symbol(settings.PITSTOP_CURRENCY)},
                top_chart(data.top_by_revenue),
            ),
            section(_("Top 10 by revenue"), products_table(data.top_by_revenue)),
            section(_("Top 10 by units"), products_table(data.top_by_units)),
            section(_("Sales by hour of day (number of sales)"), hour_chart(data)),
        ]
    story += [
        section(_("Payments"), payments_table(data)),
        section(_("Shifts"), shifts_table(data)),
        section(_("Waste (written off, at cost)"), waste_table(data)),
        section(expiring_heading(data), expiring_table(data)),
    ]
    # Not kept together: a long restock list must split, its header repeating.
    story += [Paragraph(_("Restock"), H2), restock_table(data)]
    doc.build(story, onFirstPage=footer(heading), onLaterPages=footer(heading))


def section(heading: str, body: Flowable) -> KeepTogether:
    """A heading that never sits alone at the foot of a page."""
    return KeepTogether([Paragraph(escape(heading), H2), body])


def footer(heading: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Title and page number at the foot, so a loose printed page is traceable."""

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 10 * mm, heading)
        canvas.drawRightString(
            A4[0] - MARGIN, 10 * mm, _("page %(number)s") % {"number": doc.page}
        )
        canvas.restoreState()

    return draw


def table(
    header: list[str],
    rows: list[list[object]],
    *,
    widths: Sequence[float | None],
    right: Sequence[int] = (),
) -> Table:
    """A striped table whose header repeats on every page it spans; cells are
    Paragraphs so long product names wrap instead of overflowing."""
    known = sum(w for w in widths if w is not None)
    fill = (WIDTH - known) / sum(1 for w in widths if w is None)

    def cells(row: Sequence[object], left: ParagraphStyle, rt: ParagraphStyle) -> list:
        return [
            Paragraph(escape(str(v)), rt if i in right else left)
            for i, v in enumerate(row)
        ]

    grid = [cells(header, HEAD, HEAD_R), *(cells(row, CELL, CELL_R) for row in rows)]
    result = Table(grid, colWidths=[w or fill for w in widths], repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), INK),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def totals_table(data: ReportData) -> Table:
    """The period at a glance: two label/value pairs per row."""
    t = data.totals
    pairs = [
        (_("Sales"), number(t.sales)),
        (_("Net revenue"), money(t.revenue)),
        (_("Units"), number(t.units)),
        (_("Cost"), money(t.cost)),
        (_("Average ticket"), money(t.average_ticket)),
        (_("Margin"), money(t.margin)),
        (_("Voided sales"), number(t.voided_sales)),
        (_("Voided total"), money(t.voided_total)),
        (_("Returns"), money(t.returns)),
        (_("Shifts"), number(len(data.shifts))),
        (_("Waste at cost"), money(t.waste)),
        (_("Lots expiring"), number(len(data.expiring))),
    ]
    rows = [[*pairs[i], *pairs[i + 1]] for i in range(0, len(pairs), 2)]
    result = Table(rows, colWidths=[WIDTH * 0.22, WIDTH * 0.28] * 2)
    result.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTNAME", (1, 0), (1, -1), "Helvetica-Bold"),
                ("FONTNAME", (3, 0), (3, -1), "Helvetica-Bold"),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("TEXTCOLOR", (2, 0), (2, -1), MUTED),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("ROWBACKGROUNDS", (0, 0), (-1, -1), [STRIPE, colors.white]),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                # A rule and some air between the two pairs, so a value does
                # not read as belonging to the label beside it.
                ("LINEAFTER", (1, 0), (1, -1), 0.5, RULE),
                ("RIGHTPADDING", (1, 0), (1, -1), 10),
                ("LEFTPADDING", (2, 0), (2, -1), 10),
            ]
        )
    )
    return result


def restock_table(data: ReportData) -> Flowable:
    """What to order now (the replenishment rule), grouped by supplier as the
    selector sorts it."""
    if not data.restock:
        return Paragraph(_("Nothing to restock or to order."), BODY)
    header = ["SKU", _("Product"), _("Stock"), _("Reorder at"), _("On order")]
    header += [_("Days left"), _("Order"), _("Supplier")]
    rows = [
        [
            r["sku"],
            r["name"],
            r["stock"],
            r["reorder_point"],
            r["on_order"],
            _cover(r["days_of_cover"]),
            r["suggested_qty"],
            r["supplier"] or "—",
        ]
        for r in data.restock
    ]
    widths = [20 * mm, None, 17 * mm, 18 * mm, 19 * mm, 19 * mm, 14 * mm, 27 * mm]
    return table(header, rows, widths=widths, right=range(2, 7))


def _cover(days: str | None) -> str:
    """Days of cover as the item carries it (text, or None when nothing
    sold), in the report's number format."""
    return "—" if days is None else number_format(Decimal(days), 1)


def payments_table(data: ReportData) -> Table:
    """What each payment method took in, gave back, and kept: the day's figures
    to reconcile with the card acquirer, the Pix statement and the drawer."""
    rows = [
        [p.label, number(p.sales), money(p.received), money(p.refunded), money(p.net)]
        for p in data.payments
    ]
    t = data.totals
    received = sum((p.received for p in data.payments), Decimal(0))
    sales = sum(p.sales for p in data.payments)
    rows.append(
        [_("Total"), number(sales), money(received), money(t.returns), money(t.revenue)]
    )
    return table(
        [_("Method"), _("Sales"), _("Received"), _("Refunded"), _("Net")],
        rows,
        widths=[None, 18 * mm, 30 * mm, 30 * mm, 30 * mm],
        right=range(1, 5),
    )


def shifts_table(data: ReportData) -> Flowable:
    """Each clerk's shift: float, expected and counted cash, the difference."""
    if not data.shifts:
        return Paragraph(escape(_("No shift in this period.")), BODY)
    zone = timezone.get_default_timezone()

    def when(moment: datetime.datetime | None) -> str:
        if moment is None:
            return _("open")
        return f"{timezone.localtime(moment, zone):%d/%m %H:%M}"

    def amount(value: Decimal | None) -> str:
        return "—" if value is None else money(value)

    rows = [
        [
            s.clerk,
            when(s.opened_at),
            when(s.closed_at),
            money(s.opening_float),
            amount(s.expected_cash),
            amount(s.counted_cash),
            amount(s.difference),
        ]
        for s in data.shifts
    ]
    return table(
        [
            _("Clerk"),
            _("Opened"),
            _("Closed"),
            _("Float"),
            _("Expected"),
            _("Counted"),
            _("Difference"),
        ],
        rows,
        widths=[None, 22 * mm, 22 * mm, 22 * mm, 24 * mm, 24 * mm, 24 * mm],
        right=range(3, 7),
    )


def waste_table(data: ReportData) -> Flowable:
    """Each ledger row `waste` of the period (write-offs, returns not put
    back on the shelf), valued at its day's cost, and the total."""
    if not data.waste:
        return Paragraph(escape(_("Nothing written off in this period.")), BODY)
    zone = timezone.get_default_timezone()
    rows = [
        [
            f"{timezone.localtime(w.created_at, zone):%d/%m %H:%M}",
            w.sku,
            w.name,
            date_format(w.expires_on, "SHORT_DATE_FORMAT") if w.expires_on else "—",
            number(w.qty),
            money(w.unit_cost),
            money(w.value),
            w.note or "—",
        ]
        for w in data.waste
    ]
    units = sum(w.qty for w in data.waste)
    total = money(data.totals.waste)
    rows.append([_("Total"), "", "", "", number(units), "", total, ""])
    return table(
        [
            _("When"),
            "SKU",
            _("Product"),
            _("Expiry"),
            _("Qty"),
            _("Unit cost"),
            _("Value"),
            _("Why"),
        ],
        rows,
        widths=[22 * mm, 18 * mm, None, 22 * mm, 10 * mm, 20 * mm, 22 * mm, 24 * mm],
        right=range(4, 7),
    )


def expiring_heading(data: ReportData) -> str:
    """The days the expiring lots are listed for: the day the report is read
    (after its period) and the next."""
    first = data.period.end
    last = first + datetime.timedelta(days=EXPIRING_DAYS - 1)
    return _("Lots expiring %(first)s to %(last)s (mark down or pull)") % {
        "first": date_format(first, "SHORT_DATE_FORMAT"),
        "last": date_format(last, "SHORT_DATE_FORMAT"),
    }


def expiring_table(data: ReportData) -> Flowable:
    """Lots whose last day of sale is in the expiring window."""
    if not data.expiring:
        return Paragraph(escape(_("No lot expires in these days.")), BODY)
    rows = [
        [
            date_format(lot.expires_on, "SHORT_DATE_FORMAT"),
            lot.sku,
            lot.name,
            number(lot.qty),
        ]
        for lot in data.expiring
    ]
    return table(
        [_("Expires on"), "SKU", _("Product"), _("Qty")],
        rows,
        widths=[26 * mm, 28 * mm, None, 20 * mm],
        right=(3,),
    )


def products_table(products: list[ProductSales]) -> Table:
    return table(
        ["SKU", _("Product"), _("Qty"), _("Revenue")],
        [[p.sku, p.name, number(p.qty), money(p.revenue)] for p in products],
        widths=[28 * mm, None, 20 * mm, 32 * mm],
        right=(2, 3),
    )


def top_chart(products: list[ProductSales]) -> Drawing:
    """Horizontal bars, best seller on top, each labelled with its exact amount."""
    shown = list(reversed(products))  # the chart draws its first category lowest
    height = 24 + 18 * len(shown)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 16
    chart.width, chart.height = WIDTH - 150 - 70, height - 22
    chart.data = [[float(p.revenue) for p in shown]]  # bar lengths only
    chart.categoryAxis.categoryNames = [shorten(p.name, 32) for p in shown]
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = number
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[money(p.revenue) for p in shown]]
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def hour_chart(data: ReportData) -> Drawing:
    """Number of sales in each hour of the store's clock, 0 to 23."""
    counts = [h.sales for h in data.by_hour]
    drawing = Drawing(WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = WIDTH - 40, 120
    chart.data = [counts]
    chart.categoryAxis.categoryNames = [str(h.hour) for h in data.by_hour]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    # Whole-number ticks: a quiet day must not show "0.5 sales".
    step = max(1, -(-max(counts, default=0) // 5))
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = max(step * 5, max(counts, default=0))
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = STRIPE
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def shorten(text: str, limit: int) -> str:
    """Chart labels do not wrap, so a long name is cut rather than overlapping."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
