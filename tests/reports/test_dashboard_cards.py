"""The dashboard's cards of the store's other work on known data, for a fixed
moment (Wednesday 2026-11-25 at 12:00 in the store): revenue net of returns,
purchase orders to approve and late, the shifts closed yesterday, the alert
deliveries that failed, and the lots that expire."""

import datetime
from decimal import Decimal

import pytest

from alerts.models import Delivery
from inventory.models import Lot
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from reports import dashboard
from reports.charts import bar_chart
from reports.dashboard.lots import lots_expiring
from reports.dashboard.orders import purchase_orders
from reports.dashboard.till import shifts_closed
from sales.models import Return, Shift
from sales.returns import sale_return
from sales.services import sale_create
from sales.shifts import shift_close, shift_open
from tests.factories import ProductFactory, SupplierFactory, UserFactory
from tests.reports.conftest import at, sell

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = datetime.date(2026, 11, 25)
LAST_WEEK = datetime.date(2026, 11, 18)
NOW = at(TODAY, "12:00")


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def shelf():
    return {
        sku: ProductFactory(sku=sku, price=Decimal(price), stock=1000)
        for sku, price in [("TEN", "10.00"), ("ONE", "1.00")]
    }


def give_back(manager, sale, lines, when: datetime.datetime) -> Return:
    """A return through the service, then moved to when it was made."""
    back, _ = sale_return(sale_id=sale.pk, user=manager, lines=lines, restock=True)
    Return.objects.filter(pk=back.pk).update(created_at=when)
    return back


# ------------------------------------------------------------------------------
# Revenue net of returns
# ------------------------------------------------------------------------------


def test_todays_revenue_is_net_of_the_refunds_made_today_whenever_the_sale_was(
    clerk, manager, shelf
):
    today = sell(clerk, [("TEN", 3)], at(TODAY, "08:00"))
    older = sell(clerk, [("TEN", 2)], at(days_ago(3), "09:00"))
    give_back(manager, today, [("TEN", 1)], at(TODAY, "09:30"))
    give_back(manager, older, [("TEN", 1)], at(TODAY, "10:15"))
    then = sell(clerk, [("TEN", 2), ("ONE", 5)], at(LAST_WEEK, "08:00"))
    give_back(manager, then, [("ONE", 5)], at(LAST_WEEK, "11:00"))
    give_back(manager, then, [("TEN", 1)], at(LAST_WEEK, "13:00"))  # later on

    today = dashboard.today(now=NOW)

    assert (today.sales.now, today.sales.then) == (1, 1)
    assert today.refunds == Decimal("20.00")
    assert (today.revenue.now, today.revenue.then) == (
        Decimal("10.00"),  # 30 sold, 20 refunded
        Decimal("20.00"),  # 25 sold, 5 refunded up to 12:00
    )
    assert (today.revenue.percent, today.revenue.direction) == (-50, "down")
    assert today.average_ticket.now == Decimal("10.00")
    by_hour = {h.hour: h for h in today.hours if h.revenue or h.then_revenue}
    assert {h: (r.revenue, r.then_revenue) for h, r in by_hour.items()} == {
        8: (Decimal("30.00"), Decimal("25.00")),
        9: (Decimal("-10.00"), Decimal("0.00")),
        10: (Decimal("-10.00"), Decimal("0.00")),
        11: (Decimal("0.00"), Decimal("-5.00")),
        13: (Decimal("0.00"), Decimal("-10.00")),
    }


def test_each_days_revenue_is_net_of_that_days_refunds(clerk, manager, shelf):
    sold = sell(clerk, [("TEN", 4)], at(days_ago(5), "10:00"))
    give_back(manager, sold, [("TEN", 1)], at(days_ago(5), "18:00"))
    give_back(manager, sold, [("TEN", 2)], at(days_ago(2), "08:00"))  # no sale then
    give_back(manager, sold, [("TEN", 1)], at(TODAY, "08:00"))  # not a past day

    days = {d.day: d for d in dashboard.revenue_by_day(now=NOW)}

    assert (days[days_ago(5)].sales, days[days_ago(5)].refunds) == (
        1,
        Decimal("10.00"),
    )
    assert days[days_ago(5)].revenue == Decimal("30.00")
    assert (days[days_ago(2)].sales, days[days_ago(2)].revenue) == (
        0,
        Decimal("-20.00"),
    )
    assert sum(d.revenue for d in days.values()) == Decimal("10.00")


# ------------------------------------------------------------------------------
# Purchase orders
# ------------------------------------------------------------------------------


def order(supplier, status, lines, *, expected_on=None) -> PurchaseOrder:
    """An order in `status`; lines are (product, ordered, received, unit cost)."""
    made = PurchaseOrder.objects.create(
        supplier=supplier, status=status, expected_on=expected_on
    )
    for product, ordered, received, cost in lines:
        PurchaseOrderLine.objects.create(
            order=made,
            product=product,
            ordered=ordered,
            received=received,
            unit_cost=Decimal(cost),
        )
    return made


def test_orders_card_counts_the_drafts_with_their_value_and_the_late_orders():
    suppliers = [SupplierFactory(name=f"Supplier {n}") for n in range(5)]
    cola, chips = ProductFactory(sku="COLA"), ProductFactory(sku="CHIPS")
    order(suppliers[0], "draft", [(cola, 12, 0, "2.90"), (chips, 6, 0, "6.90")])
    order(suppliers[1], "draft", [(cola, 24, 0, "2.50")])
    order(suppliers[2], "draft", [])  # drafted empty by a manager
    three_late = order(
        suppliers[0], "sent", [(cola, 10, 0, "1")], expected_on=days_ago(3)
    )
    one_late = order(
        suppliers[1],
        "partial",
        [(cola, 10, 4, "1"), (chips, 5, 7, "1")],  # more chips came than asked
        expected_on=days_ago(1),
    )
    order(suppliers[2], "sent", [(cola, 1, 0, "1")], expected_on=TODAY)  # due today
    order(suppliers[3], "sent", [(cola, 1, 0, "1")], expected_on=None)  # no date
    order(suppliers[3], "received", [(cola, 1, 1, "1")], expected_on=days_ago(9))
    order(suppliers[4], "cancelled", [(cola, 1, 0, "1")], expected_on=days_ago(9))

    orders = purchase_orders(now=NOW)

    assert (orders.drafts, orders.drafts_total) == (3, Decimal("136.20"))
    assert orders.late == 2
    assert [(o.number, o.supplier, o.days_late, o.missing) for o in orders.worst] == [
        (three_late.number, "Supplier 0", 3, 10),
        (one_late.number, "Supplier 1", 1, 6),
    ]
    assert purchase_orders(now=NOW, shown=1).late == 2
    assert len(purchase_orders(now=NOW, shown=1).worst) == 1


def test_no_draft_and_nothing_late_is_zero():
    orders = purchase_orders(now=NOW)

    assert (orders.drafts, orders.drafts_total, orders.late, orders.worst) == (
        0,
        Decimal("0.00"),
        0,
        [],
    )


# ------------------------------------------------------------------------------
# Shifts closed yesterday
# ------------------------------------------------------------------------------


def shift(clerk, *, opened, closed, counted: str, cash_sold=()) -> Shift:
    """A shift opened with R$ 100.00, `cash_sold` lines sold in cash, closed
    with `counted` in the drawer, then moved to when it happened."""
    opened_shift = shift_open(clerk=clerk, opening_float=Decimal("100.00"))
    if cash_sold:
        sale_create(
            clerk=clerk, lines=cash_sold, payment="cash", shift_id=opened_shift.pk
        )
    closed_shift = shift_close(
        shift_id=opened_shift.pk, user=clerk, counted=Decimal(counted)
    )
    Shift.objects.filter(pk=closed_shift.pk).update(opened_at=opened, closed_at=closed)
    return closed_shift


def test_shifts_card_lists_yesterdays_cash_ups_largest_difference_first(shelf):
    ana, bia, caio = (UserFactory(username=n) for n in ("ana", "bia", "caio"))
    yesterday = days_ago(1)
    shift(
        ana,
        opened=at(yesterday, "06:00"),
        closed=at(yesterday, "14:00"),
        counted="130.00",
        cash_sold=[("TEN", 3)],
    )  # balanced
    shift(
        bia,
        opened=at(yesterday, "14:00"),
        closed=at(yesterday, "22:00"),
        counted="95.00",
    )  # 5.00 short
    shift(
        caio, opened=at(yesterday, "22:00"), closed=at(TODAY, "06:00"), counted="102.50"
    )  # closed today: not yesterday's
    shift(
        caio,
        opened=at(days_ago(2), "06:00"),
        closed=at(yesterday, "00:00"),
        counted="101.00",
    )  # 1.00 over, closed at yesterday's midnight
    shift(
        ana,
        opened=at(days_ago(2), "06:00"),
        closed=at(days_ago(2), "23:59"),
        counted="50.00",
    )  # the day before

    shifts = shifts_closed(now=NOW)

    assert (shifts.day, shifts.count, shifts.off) == (yesterday, 3, 2)
    assert shifts.difference == Decimal("-4.00")
    assert [
        (s.clerk, s.expected_cash, s.counted_cash, s.difference) for s in shifts.shown
    ] == [
        ("bia", Decimal("100.00"), Decimal("95.00"), Decimal("-5.00")),
        ("caio", Decimal("100.00"), Decimal("101.00"), Decimal("1.00")),
        ("ana", Decimal("130.00"), Decimal("130.00"), Decimal("0.00")),
    ]
    assert len(shifts_closed(now=NOW, shown=2).shown) == 2


# ------------------------------------------------------------------------------
# Failed alert deliveries
# ------------------------------------------------------------------------------


def test_reports_card_counts_the_alert_deliveries_that_failed():
    for n, status in enumerate(["failed", "failed", "sent", "pending", "skipped"]):
        Delivery.objects.create(key=f"events/low-stock/x/{n}.json", status=status)

    assert dashboard.reports_state(now=NOW).failed_deliveries == 2
    assert dashboard.reports_state(now=NOW, deliveries=False).failed_deliveries is None


def test_a_day_whose_refunds_outweigh_its_sales_hangs_below_the_zero_line():
    chart = bar_chart(
        [Decimal("30.00"), Decimal("-20.00")], ["Mon", "Tue"], axis_labels=["", ""]
    )

    zero = next(float(t.y) for t in chart.ticks if t.value == 0)
    sold, refunded = chart.bars
    assert float(sold.y) + float(sold.height) == pytest.approx(zero)
    assert float(sold.height) > float(refunded.height) > 0
    assert float(refunded.y) == pytest.approx(zero)
    assert min(t.value for t in chart.ticks) <= -20


# ------------------------------------------------------------------------------
# Lots expiring
# ------------------------------------------------------------------------------


def lot(product, expires_on, left: int, received: int | None = None) -> Lot:
    return Lot.objects.create(
        product=product,
        expires_on=expires_on,
        units_received=received if received is not None else max(left, 1),
        units_left=left,
        ref="test",
    )


def test_lots_card_counts_units_expiring_by_day_and_expired_ones_not_written_off():
    milk = ProductFactory(sku="MILK", name="Leite 1L", tracks_expiry=True)
    bread = ProductFactory(sku="BREAD", name="Pão de forma", tracks_expiry=True)
    tomorrow, after = TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(2)
    lot(milk, TODAY, 3)
    lot(bread, TODAY, 4)
    lot(milk, TODAY, 0, received=12)  # sold out: nothing to do
    lot(milk, tomorrow, 5)
    lot(bread, after, 6)
    lot(bread, TODAY + datetime.timedelta(days=3), 9)  # not yet
    old = lot(milk, days_ago(2), 2)  # expired, still on the shelf
    lot(bread, days_ago(1), 0, received=4)  # expired and written off
    lot(bread, None, 7)  # expiry unknown: not counted as expiring

    lots = lots_expiring(now=NOW)

    assert [(d.day, d.lots, d.units) for d in lots.days] == [
        (TODAY, 2, 7),
        (tomorrow, 1, 5),
        (after, 1, 6),
    ]
    assert (lots.expiring_lots, lots.expiring_units) == (4, 18)
    assert (lots.expired_lots, lots.expired_units) == (1, 2)
    assert [(r.sku, r.expires_on, r.units) for r in lots.first] == [
        ("MILK", days_ago(2), 2),
        ("MILK", TODAY, 3),
        ("BREAD", TODAY, 4),
        ("MILK", tomorrow, 5),
        ("BREAD", after, 6),
    ]
    assert lots.first[0].pk == old.pk
