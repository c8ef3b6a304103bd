"""Perishables in the manager's hands: the product form's switch, the receipt
page's expiry dates, dating an "expiry unknown" lot, the import's column."""

import pytest
from django.urls import reverse

from inventory.importing import products_export, products_import
from inventory.models import Lot, Product
from sales.services import sale_create
from tests.factories import ProductFactory
from tests.inventory.lots import assert_lots_agree, day, lots_left, perishable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def product_form(product: Product, **change) -> dict:
    return {
        "sku": product.sku,
        "name": product.name,
        "price": str(product.price),
        "cost": str(product.cost),
        "reorder_point": str(product.reorder_point),
        "par_level": str(product.par_level),
        "pack_size": "1",
        "is_active": "on",
    } | change


def test_ticking_tracks_expiry_puts_the_stock_in_an_undated_lot_and_says_so(
    manager_client,
):
    cheese = ProductFactory(name="Cheese", stock=7)

    response = manager_client.post(
        reverse("admin:inventory_product_change", args=[cheese.pk]),
        product_form(cheese, tracks_expiry="on"),
        follow=True,
    )

    assert "The 7 units of Cheese in stock are in a lot whose expiry is unknown" in (
        response.content.decode()
    )
    cheese.refresh_from_db()
    assert cheese.tracks_expiry
    assert lots_left(cheese) == [(None, 7)]
    assert_lots_agree(cheese)


def test_saving_the_product_form_never_writes_the_stock_read_with_the_page(
    manager_client, manager
):
    milk = perishable((5, 4))
    stale = product_form(milk, tracks_expiry="on", name="Milk 1l")
    sale_create(clerk=manager, lines=[(milk.sku, 2)])  # while the page is open

    manager_client.post(
        reverse("admin:inventory_product_change", args=[milk.pk]), stale
    )

    milk.refresh_from_db()
    assert (milk.name, milk.stock) == ("Milk 1l", 3)
    assert_lots_agree(milk)


def test_the_receipt_page_asks_each_perishable_for_its_expiry_date(manager_client):
    milk = perishable()
    water = ProductFactory(stock=0)
    page = reverse("admin:inventory_product_receive") + f"?ids={milk.pk},{water.pk}"

    missing = manager_client.post(page, {f"qty_{milk.pk}": "6", f"qty_{water.pk}": "4"})
    assert "Give the expiry date of the units received." in missing.content.decode()

    manager_client.post(
        page,
        {
            f"qty_{milk.pk}": "6",
            f"expires_{milk.pk}": day(6).isoformat(),
            f"qty_{water.pk}": "4",
        },
    )
    assert lots_left(milk) == [(day(6), 6)]
    assert not Lot.objects.filter(product=water).exists()


def test_a_past_expiry_date_on_the_receipt_page_needs_the_confirmation(
    manager_client,
):
    milk = perishable()
    page = reverse("admin:inventory_product_receive") + f"?ids={milk.pk}"
    post = {f"qty_{milk.pk}": "6", f"expires_{milk.pk}": day(-2).isoformat()}

    refused = manager_client.post(page, post)
    assert "is in the past" in refused.content.decode()
    assert lots_left(milk) == []

    manager_client.post(page, {**post, "allow_past_expiry": "on"})
    assert lots_left(milk) == [(day(-2), 6)]


def test_the_manager_dates_an_undated_lot_in_parts(manager_client):
    cheese = ProductFactory(stock=0)
    products_import(
        data=f"sku,name,price,stock,reorder_point,tracks_expiry\n"
        f"{cheese.sku},Cheese,9.90,5,1,yes\n".encode()
    )
    (undated,) = Lot.objects.filter(product=cheese)
    page = reverse("admin:inventory_lot_date", args=[undated.pk])

    wrong = manager_client.post(page, {"expires_1": day(3).isoformat(), "units_1": "4"})
    assert "must add up to the 5" in wrong.content.decode()

    manager_client.post(
        page,
        {
            "expires_1": day(3).isoformat(),
            "units_1": "4",
            "expires_2": day(8).isoformat(),
            "units_2": "1",
        },
    )
    assert lots_left(cheese) == [(day(3), 4), (day(8), 1), (None, 0)]
    assert_lots_agree(cheese)


def test_the_import_switches_tracking_and_its_stock_changes_follow_the_lots():
    milk = perishable((4, -1), (4, 6))
    cheese = ProductFactory(stock=3)
    new = "NEW-YOG"
    csv = (
        "sku,name,price,stock,reorder_point,tracks_expiry\n"
        f"{milk.sku},Milk,5.00,5,1,yes\n"
        f"{cheese.sku},Cheese,9.90,3,1,yes\n"
        f"{new},Yoghurt,3.50,6,1,yes\n"
    )

    products_import(data=csv.encode())

    assert lots_left(milk) == [(day(-1), 1), (day(6), 4)]
    assert lots_left(cheese) == [(None, 3)]
    yoghurt = Product.objects.get(sku=new)
    assert yoghurt.tracks_expiry
    assert lots_left(yoghurt) == [(None, 6)]
    for product in (milk, cheese, yoghurt):
        assert_lots_agree(product)


def test_the_export_carries_tracks_expiry_and_reads_back_unchanged():
    milk = perishable((4, 6))
    header, row = products_export([milk])

    assert row[header.index("tracks_expiry")] == "yes"
    summary = products_import(
        data=(",".join(header) + "\n" + ",".join(map(str, row)) + "\n").encode()
    )
    assert summary.unchanged == 1
