"""The dashboard's numbers on known data, for a fixed moment: Wednesday
2026-11-25 at 12:00 in the store, against Wednesday 2026-11-18."""

import datetime
from decimal import Decimal

import pytest

from inventory.models import LowStockAlert, StockMovement
from reports import dashboard
from reports.models import Report
from sales.services import sale_void
from tests.factories import ProductFactory
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
        for sku, price in [("TEN", "10.00"), ("ONE", "1.00"), ("FIVE", "5.00")]
    }


def test_today_so_far_compares_with_last_weeks_same_day_up_to_the_same_time(
    clerk, manager, shelf
):
    sell(clerk, [("TEN", 1)], at(TODAY, "00:05"))
    sell(clerk, [("TEN", 2), ("ONE", 3)], at(TODAY, "08:30"))
    sell(clerk, [("FIVE", 1)], at(TODAY, "11:59"))
    voided = sell(clerk, [("TEN", 9)], at(TODAY, "10:00"))
    sale_void(sale_id=voided.pk, user=manager, reason="wrong item")
    sell(clerk, [("TEN", 5)], at(days_ago(1), "23:59"))  # yesterday
    sell(clerk, [("TEN", 1)], at(LAST_WEEK, "07:00"))
    sell(clerk, [("TEN", 1)], at(LAST_WEEK, "11:30"))
    sell(clerk, [("TEN", 9)], at(LAST_WEEK, "12:30"))  # after the same time
    sell(clerk, [("TEN", 9)], at(days_ago(14), "09:00"))

    today = dashboard.today(now=NOW)

    assert (today.day, today.then_day) == (TODAY, LAST_WEEK)
    assert today.then_until == at(LAST_WEEK, "12:00")
    assert (today.sales.now, today.sales.then) == (3, 2)
    assert (today.sales.percent, today.sales.direction) == (50, "up")
    assert (today.revenue.now, today.revenue.then) == (Decimal("38.00"), Decimal(20))
    assert (today.revenue.percent, today.revenue.direction) == (90, "up")
    assert today.average_ticket.now == Decimal("12.67")
    assert today.average_ticket.then == Decimal("10.00")
    assert today.average_ticket.percent == 27


def test_a_day_after_an_empty_one_has_no_percentage_and_a_drop_points_down():
    assert dashboard.Change(Decimal(5), Decimal(0)).percent is None
    fall = dashboard.Change(Decimal("7.50"), Decimal("10.00"))
    assert (fall.percent, fall.direction) == (-25, "down")
    same = dashboard.Change(4, 4)
    assert (same.percent, same.direction) == (0, "")


def test_sales_by_hour_has_today_and_all_of_last_weeks_day(clerk, shelf):
    sell(clerk, [("TEN", 1)], at(TODAY, "08:15"))
    sell(clerk, [("ONE", 2)], at(TODAY, "08:40"))
    sell(clerk, [("FIVE", 1)], at(TODAY, "11:05"))
    sell(clerk, [("TEN", 1)], at(LAST_WEEK, "08:10"))
    sell(clerk, [("TEN", 3)], at(LAST_WEEK, "19:30"))
    sell(clerk, [("TEN", 1)], at(days_ago(1), "08:00"))

    hours = dashboard.today(now=NOW).hours

    assert [h.hour for h in hours] == list(range(24))
    busy = {h.hour: h for h in hours if h.sales or h.then_sales}
    assert busy == {
        8: dashboard.HourRow(8, 2, Decimal("12.00"), 1, Decimal("10.00")),
        11: dashboard.HourRow(11, 1, Decimal("5.00"), 0, Decimal("0.00")),
        19: dashboard.HourRow(19, 0, Decimal("0.00"), 1, Decimal("30.00")),
    }


def test_revenue_by_day_covers_the_28_days_before_today(clerk, manager, shelf):
    sell(clerk, [("TEN", 1)], at(TODAY, "08:00"))  # today: not complete
    sell(clerk, [("TEN", 2)], at(days_ago(1), "23:59"))
    sell(clerk, [("ONE", 1)], at(days_ago(1), "00:00"))
    sell(clerk, [("FIVE", 1)], at(days_ago(28), "00:00"))
    sell(clerk, [("TEN", 9)], at(days_ago(29), "23:59"))  # one day too old
    voided = sell(clerk, [("TEN", 9)], at(days_ago(3), "10:00"))
    sale_void(sale_id=voided.pk, user=manager, reason="wrong item")

    days = dashboard.revenue_by_day(now=NOW)

    assert [d.day for d in days] == [days_ago(n) for n in range(28, 0, -1)]
    assert {d.day: (d.sales, d.revenue) for d in days if d.sales} == {
        days_ago(28): (1, Decimal("5.00")),
        days_ago(1): (2, Decimal("21.00")),
    }


def test_low_stock_counts_active_low_products_and_ranks_by_days_of_cover(
    clerk, manager
):
    # sku: (stock left, reorder point, units sold over the last 28 days)
    plan = {
        "A": (2, 5, 28),  # 2.0 days
        "B": (1, 5, 56),  # 0.5 days
        "C": (0, 5, 0),  # sold nothing: last
        "D": (3, 5, 14),  # 6.0 days
        "E": (4, 5, 280),  # 0.4 days
        "F": (5, 5, 7),  # 20.0 days
        "OK": (50, 5, 500),  # not low
    }
    for sku, (left, point, sold) in plan.items():
        ProductFactory(sku=sku, stock=left + sold, reorder_point=point)
        if sold:
            sell(clerk, [(sku, sold)], at(days_ago(10), "10:00"))
    ProductFactory(sku="GONE", stock=0, reorder_point=5, is_active=False)
    # Neither today's sales nor voided ones count towards velocity.
    ProductFactory(sku="G", stock=6, reorder_point=5)
    sell(clerk, [("G", 1)], at(TODAY, "09:00"))
    voided = sell(clerk, [("G", 4)], at(days_ago(2), "09:00"))
    sale_void(sale_id=voided.pk, user=manager, reason="test")
    StockMovement.objects.filter(reason="void", ref=str(voided.pk)).update(
        created_at=at(days_ago(2), "09:05")
    )

    low = dashboard.low_stock(now=NOW)

    assert low.count == 7
    assert [(i.sku, i.stock, i.days_of_cover) for i in low.worst] == [
        ("E", 4, Decimal("0.4")),
        ("B", 1, Decimal("0.5")),
        ("A", 2, Decimal("2.0")),
        ("D", 3, Decimal("6.0")),
        ("F", 5, Decimal("20.0")),
    ]
    assert (low.worst[0].sold, low.worst[0].velocity) == (280, Decimal("10.00"))
    everything = dashboard.low_stock(now=NOW, worst=10)
    assert [(i.sku, i.days_of_cover) for i in everything.worst[-2:]] == [
        ("C", None),
        ("G", None),
    ]


def report(period: datetime.date, status: str, **fields) -> Report:
    return Report.objects.create(
        kind="daily",
        period=period.isoformat(),
        period_start=period,
        period_end=period + datetime.timedelta(days=1),
        status=status,
        **fields,
    )


def test_reports_card_has_the_last_daily_report_with_its_files_and_the_failures():
    report(days_ago(3), "failed", error="S3 down")
    report(days_ago(2), "done")
    last = report(
        days_ago(1),
        "done",
        files={
            "sales.csv": f"reports/daily/{days_ago(1)}/sales.csv",
            "summary.json": f"reports/daily/{days_ago(1)}/summary.json",
        },
    )
    Report.objects.create(
        kind="weekly",
        period="2026-W47",
        period_start=datetime.date(2026, 11, 16),
        period_end=datetime.date(2026, 11, 23),
        status="failed",
    )

    state = dashboard.reports_state(now=NOW)

    assert state.last_daily == last
    assert [(f.name, f.url) for f in state.files] == [
        ("sales.csv", "/reports/files/reports/daily/2026-11-24/sales.csv"),
        ("summary.json", "/reports/files/reports/daily/2026-11-24/summary.json"),
    ]
    assert not state.yesterday_missing
    assert state.failed_count == 2
    assert [str(r) for r in state.failed] == [
        "Daily report 2026-11-22",
        "Weekly report 2026-W47",
    ]


def test_reports_card_counts_the_low_stock_alerts_that_failed(clerk):
    ProductFactory(sku="LOW", stock=5, reorder_point=3)
    sell(clerk, [("LOW", 3)], at(days_ago(1), "10:00"))
    assert dashboard.reports_state(now=NOW).failed_events == 0

    LowStockAlert.objects.update(event_state=LowStockAlert.EventState.FAILED)

    assert dashboard.reports_state(now=NOW).failed_events == 1


def test_a_missing_report_of_yesterday_is_flagged():
    report(days_ago(2), "done")

    assert dashboard.reports_state(now=NOW).yesterday_missing
    Report.objects.all().delete()
    assert dashboard.reports_state(now=NOW).yesterday_missing
