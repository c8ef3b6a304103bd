import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.exceptions import ShiftClosed, ShiftError, ShiftNeeded
from sales.models import Sale, Shift
from sales.returns import sale_return
from sales.services import sale_create, sale_void
from sales.shifts import shift_cash, shift_close, shift_open
from tests.factories import ProductFactory, UserFactory
from tests.sales.till import SHIFT, pay, scan, till_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def cola():
    return ProductFactory(sku="DRK-001", name="Cola", price=Decimal("5.50"), stock=50)


def cash_sale(clerk, shift, qty: int) -> Sale:
    sale, _ = sale_create(
        clerk=clerk, lines=[("DRK-001", qty)], payment="cash", shift_id=shift.pk
    )
    return sale


def test_expected_cash_is_the_float_plus_cash_sales_less_cash_refunds(
    clerk, manager, cola
):
    shift = shift_open(clerk=clerk, opening_float=Decimal("100.00"))
    cash_sale(clerk, shift, 2)  # 11.00
    refunded = cash_sale(clerk, shift, 4)  # 22.00, 1 unit refunded in cash
    voided = cash_sale(clerk, shift, 10)  # 55.00, voided: handed back
    sale_create(clerk=clerk, lines=[("DRK-001", 3)], payment="debit", shift_id=shift.pk)
    sale_void(sale_id=voided.pk, user=manager, reason="customer changed mind")
    sale_return(
        sale_id=refunded.pk,
        user=clerk,
        approved_by=manager,
        lines=[("DRK-001", 1)],
        restock=True,
    )

    cash = shift_cash(shift)
    assert (cash.opening_float, cash.cash_sales, cash.cash_refunds) == (
        Decimal("100.00"),
        Decimal("33.00"),
        Decimal("5.50"),
    )
    assert cash.expected == Decimal("127.50")

    closed = shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("122.50"))

    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        Decimal("127.50"),
        Decimal("122.50"),
        Decimal("-5.00"),
    )
    assert closed.closed_at is not None


def test_a_card_refund_does_not_leave_the_drawer(clerk, manager, cola):
    shift = shift_open(clerk=clerk, opening_float=Decimal("10.00"))
    sale = cash_sale(clerk, shift, 2)
    sale_return(
        sale_id=sale.pk,
        user=clerk,
        approved_by=manager,
        lines=[("DRK-001", 1)],
        restock=True,
        refund_method="pix",
    )

    assert shift_cash(shift).expected == Decimal("21.00")


def test_the_cash_can_be_counted_by_notes_and_coins(clerk, cola):
    shift = shift_open(clerk=clerk, opening_float=Decimal("50.00"))
    cash_sale(clerk, shift, 1)  # 5.50

    closed = shift_close(
        shift_id=shift.pk,
        user=clerk,
        notes_and_coins={
            Decimal("20"): 2,
            Decimal("10"): 1,
            Decimal("5"): 1,
            Decimal("0.50"): 1,
        },
    )

    assert (closed.counted_cash, closed.difference) == (Decimal("55.50"), 0)
    assert closed.counted_detail == {"0.50": 1, "5.00": 1, "10.00": 1, "20.00": 2}


def test_a_total_that_disagrees_with_the_notes_and_coins_is_refused(clerk):
    shift = shift_open(clerk=clerk, opening_float=Decimal("50.00"))

    with pytest.raises(ShiftError, match=re.escape("add up to R$ 40.00, not R$ 50.00")):
        shift_close(
            shift_id=shift.pk,
            user=clerk,
            counted=Decimal("50.00"),
            notes_and_coins={Decimal("20"): 2},
        )
    shift.refresh_from_db()
    assert shift.is_open


def test_closing_a_shift_twice_is_refused_and_keeps_the_first_count(clerk):
    shift = shift_open(clerk=clerk, opening_float=Decimal("20.00"))
    shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("20.00"))

    with pytest.raises(ShiftClosed, match="already closed"):
        shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("99.00"))

    shift.refresh_from_db()
    assert (shift.counted_cash, shift.difference) == (Decimal("20.00"), 0)


def test_a_sale_on_a_closed_shift_is_refused_and_changes_nothing(clerk, cola):
    shift = shift_open(clerk=clerk, opening_float=Decimal("20.00"))
    shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("20.00"))
    before = till_state()

    for payment in ("cash", "debit"):
        with pytest.raises(ShiftClosed, match="was closed"):
            sale_create(
                clerk=clerk,
                lines=[("DRK-001", 1)],
                payment=payment,
                shift_id=shift.pk,
            )

    assert till_state() == before


def test_cash_at_the_counter_needs_an_open_shift(clerk, cola):
    with pytest.raises(ShiftNeeded):
        sale_create(clerk=clerk, lines=[("DRK-001", 1)], payment="cash")
    assert Sale.objects.count() == 0


def test_yesterdays_open_shift_must_be_closed_before_todays_cash(clerk, cola):
    shift = shift_open(clerk=clerk, opening_float=Decimal("20.00"))
    Shift.objects.filter(pk=shift.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=1)
    )

    with pytest.raises(ShiftError, match="still open: close it"):
        cash_sale(clerk, shift, 1)


def test_a_clerk_opens_one_shift_at_a_time(clerk):
    shift_open(clerk=clerk, opening_float=Decimal("20.00"))

    with pytest.raises(ShiftError, match="already open"):
        shift_open(clerk=clerk, opening_float=Decimal("30.00"))
    assert Shift.objects.count() == 1


def test_a_clerk_cannot_close_another_clerks_shift(clerk):
    other = shift_open(clerk=UserFactory(), opening_float=Decimal("20.00"))

    with pytest.raises(ShiftError, match="not yours"):
        shift_close(shift_id=other.pk, user=clerk, counted=Decimal("20.00"))
    other.refresh_from_db()
    assert other.is_open


# --- at the counter ----------------------------------------------------------


def test_the_first_cash_sale_of_the_day_asks_for_the_float_and_opens_the_shift(
    clerk_client, clerk, cola
):
    scan(clerk_client, "DRK-001", 2)
    page = clerk_client.get(reverse("sales:new"))
    assert page.context["shift"] is None
    assert b'name="opening_float"' in page.content
    before = till_state()

    refused = pay(clerk_client, "cash", cash_tendered="20")
    assert refused.context["error"] == (
        "Open your shift with the cash float to take cash."
    )
    assert till_state() == before

    sold = pay(clerk_client, "cash", cash_tendered="20", opening_float="150,00")

    shift = Shift.objects.get(clerk=clerk)
    assert (shift.opening_float, shift.is_open) == (Decimal("150.00"), True)
    assert Sale.objects.get().shift == shift
    assert sold.status_code == 302
    scan(clerk_client, "DRK-001")
    assert b'name="opening_float"' not in clerk_client.get(reverse("sales:new")).content


def test_a_page_from_before_the_shift_closed_cannot_sell_on_it(
    clerk_client, clerk, cola
):
    shift_open(clerk=clerk, opening_float=Decimal("10.00"))
    scan(clerk_client, "DRK-001")
    page = clerk_client.get(reverse("sales:new"))
    shift_close(shift_id=page.context["shift"].pk, user=clerk, counted=Decimal("10.00"))
    before = till_state()

    response = clerk_client.post(
        reverse("sales:new"),
        {
            "action": "finish",
            "key": page.context["cart_key"],
            "shift": page.context["shift"].pk,
            "payment": "debit",
        },
    )

    assert "was closed: open a new shift" in response.context["error"]
    assert till_state() == before


def test_closing_the_shift_shows_expected_counted_and_difference(
    clerk_client, clerk, cola
):
    clerk_client.post(SHIFT, {"action": "open", "opening_float": "100"})
    shift = Shift.objects.get(clerk=clerk)
    cash_sale(clerk, shift, 2)

    response = clerk_client.post(
        SHIFT, {"action": "close", "shift": shift.pk, "counted": "106,00"}
    )

    assert response["Location"] == reverse("sales:shift-detail", args=[shift.pk])
    page = clerk_client.get(response["Location"]).content.decode()
    assert '<dd class="total" id="expected">R$ 111.00</dd>' in page
    assert '<dd class="total" id="counted">R$ 106.00</dd>' in page
    assert 'id="difference">-R$ 5.00</dd>' in page

    again = clerk_client.post(
        SHIFT, {"action": "close", "shift": shift.pk, "counted": "111"}
    )
    assert again.context["error"] == f"Shift {shift.pk} is already closed."
    shift.refresh_from_db()
    assert shift.counted_cash == Decimal("106.00")


def test_a_clerk_cannot_see_another_clerks_shift_but_a_manager_can(
    client, clerk, manager
):
    theirs = shift_open(clerk=UserFactory(), opening_float=Decimal("20.00"))
    url = reverse("sales:shift-detail", args=[theirs.pk])

    client.force_login(clerk)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_managers_see_shifts_and_differences_in_the_admin(manager_client, clerk):
    shift = shift_open(clerk=clerk, opening_float=Decimal("20.00"))
    shift_close(shift_id=shift.pk, user=clerk, counted=Decimal("15.00"))

    page = manager_client.get(reverse("admin:sales_shift_changelist"))

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [shift]
    assert b"-R$ 5.00" in page.content
