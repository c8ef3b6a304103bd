"""Writing lots off from the admin (managers): the lots list's action and its
page, units per lot and a reason; the expiry filters of lots and products;
a tracked product's lots on its page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import Lot, StockMovement
from inventory.perishables import lot_write_off, product_tracking_set
from tests.factories import ProductFactory
from tests.inventory.lots import assert_lots_agree, day, lots_left, perishable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

WRITE_OFF = reverse("admin:inventory_lot_write_off")
LOTS = reverse("admin:inventory_lot_changelist")
PRODUCTS = reverse("admin:inventory_product_changelist")


def page(lots: list[Lot]) -> str:
    return f"{WRITE_OFF}?ids={','.join(str(lot.pk) for lot in lots)}"


@pytest.fixture
def milk():
    """6 units expired two days ago, 10 good for five more days; cost 3.20."""
    return perishable(
        (6, -2), (10, 5), sku="MILK", name="Leite 1L", cost=Decimal("3.20")
    )


def test_the_action_takes_the_selected_lots_with_units_to_the_page(
    manager_client, milk
):
    lots = list(milk.lots.all())

    response = manager_client.post(
        LOTS,
        {"action": "write_off", "_selected_action": [lot.pk for lot in lots]},
    )

    assert response.status_code == 302
    assert response["Location"] == page(lots)


def test_a_manager_writes_off_two_units_of_the_expired_lot_valued_at_cost(
    manager_client, manager, milk
):
    expired, good = milk.lots.all()

    form = manager_client.get(page([expired, good])).content.decode()
    response = manager_client.post(
        page([expired, good]),
        {
            f"units_{expired.pk}": "2",
            f"units_{good.pk}": "0",
            "reason": "expired",
            "detail": "",
        },
        follow=True,
    )

    assert "Leite 1L (MILK), expired" in form
    assert "Written off as waste: 2 units, R$ 6.40 at cost." in (
        response.content.decode()
    )
    assert lots_left(milk) == [(day(-2), 4), (day(5), 10)]
    waste = StockMovement.objects.get(reason="waste")
    assert (waste.delta, waste.unit_cost, waste.note, waste.user) == (
        -2,
        Decimal("3.20"),
        "Expired",
        manager,
    )
    milk.refresh_from_db()
    assert milk.stock == 14
    assert_lots_agree(milk)


def test_a_damaged_lot_is_written_off_with_its_details(manager_client, milk):
    good = milk.lots.get(expires_on=day(5))

    manager_client.post(
        page([good]),
        {f"units_{good.pk}": "1", "reason": "damaged", "detail": "carton burst"},
    )

    assert StockMovement.objects.get(reason="waste").note == "Damaged: carton burst"


@pytest.mark.parametrize(
    ("units", "reason", "detail", "error"),
    [
        (7, "expired", "", "The lot MILK, expires"),  # holds 6
        (0, "expired", "", "Give the units to write off of at least one lot."),
        (1, "other", "", "Say what happened."),
        (-1, "expired", "", "Ensure this value is greater than or equal to 0."),
        ("x", "expired", "", "Enter a whole number."),
    ],
)
def test_a_bad_write_off_says_why_and_changes_nothing(
    manager_client, milk, units, reason, detail, error
):
    expired = milk.lots.get(expires_on=day(-2))

    response = manager_client.post(
        page([expired]),
        {f"units_{expired.pk}": str(units), "reason": reason, "detail": detail},
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert lots_left(milk) == [(day(-2), 6), (day(5), 10)]
    assert not StockMovement.objects.filter(reason="waste").exists()
    milk.refresh_from_db()
    assert milk.stock == 16


def test_more_than_a_lot_holds_names_the_lot_and_what_it_holds(manager_client, milk):
    expired = milk.lots.get(expires_on=day(-2))

    response = manager_client.post(
        page([expired]), {f"units_{expired.pk}": "9", "reason": "expired"}
    )

    assert "holds 6 unit(s): 9 cannot be taken from it." in response.content.decode()


def test_a_clerk_can_neither_open_the_page_nor_use_the_action(client, clerk, milk):
    client.force_login(clerk)
    expired = milk.lots.get(expires_on=day(-2))

    assert client.get(page([expired])).status_code in (302, 403)
    client.post(page([expired]), {f"units_{expired.pk}": "2", "reason": "expired"})

    assert lots_left(milk)[0] == (day(-2), 6)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("expired", ["YOG"]),
        ("today", ["SAND"]),
        ("2", ["MILK", "SAND"]),
        ("7", ["JUICE", "MILK", "SAND", "SOUP"]),
        ("unknown", ["CHEESE"]),
    ],
)
def test_lots_and_products_filter_by_expiry(manager_client, value, expected):
    perishable((3, 0), sku="SAND")
    perishable((4, 1), sku="MILK")
    perishable((2, 2), sku="SOUP")
    perishable((5, 6), (2, 30), sku="JUICE")
    perishable((2, -1), sku="YOG")
    empty = perishable((1, 0), sku="EMPTY")
    lot_write_off(lots={empty.lots.get().pk: 1}, reason="expired")
    ProductFactory(sku="COLA", stock=5)  # does not track expiry
    cheese = ProductFactory(sku="CHEESE", stock=3)
    product_tracking_set(product_id=cheese.pk, tracks=True)  # an undated lot

    lots = manager_client.get(LOTS, {"expiry": value}).context["cl"].result_list
    products = manager_client.get(PRODUCTS, {"expiry": value}).context["cl"]

    assert sorted({lot.product.sku for lot in lots}) == expected
    assert sorted(p.sku for p in products.result_list) == expected


def test_a_tracked_products_page_shows_its_lots_with_units_read_only(
    manager_client, milk
):
    html = manager_client.get(
        reverse("admin:inventory_product_change", args=[milk.pk])
    ).content.decode()

    table = html[html.index("Units received") :]
    assert "(expired)" in table
    assert ">6<" in table and ">10<" in table
    assert 'name="units_left' not in html
