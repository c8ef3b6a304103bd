import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from inventory.models import Product, StockMovement
from inventory.services import stock_count
from pitstop.roles import CLERKS
from sales.models import Sale
from sales.services import sale_create, sale_void
from tests.factories import PASSWORD, ProductFactory, UserFactory

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NEW = reverse("sales:new")
TODAY = reverse("sales:today")


@pytest.fixture
def cola():
    return ProductFactory(
        sku="DRK-001",
        barcode="7891000000014",
        name="Coca-Cola 350ml can",
        price=Decimal("5.50"),
        stock=20,
    )


@pytest.fixture
def chips():
    return ProductFactory(
        sku="SNK-002", name="Potato chips 100g", price=Decimal("11.90"), stock=2
    )


def scan(client, code, quantity=1):
    return client.post(NEW, {"action": "scan", "code": code, "quantity": quantity})


def finish(client):
    """Press "Finish sale" as the page shows it (with the cart's key)."""
    key = client.get(NEW).context["cart_key"]
    return client.post(NEW, {"action": "finish", "key": key})


def cart(response) -> list[tuple[str, int]]:
    return [(line.sku, line.quantity) for line in response.context["lines"]]


def scan_error(response) -> str:
    form = response.context["form"]
    return " ".join(e for errors in form.errors.values() for e in errors)


def state():
    """Everything a sale changes, to prove a refused one changed nothing."""
    return (
        list(Product.objects.order_by("pk").values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
    )


def test_scanning_a_barcode_adds_a_line_with_its_price_and_the_running_total(
    clerk_client, cola
):
    response = scan(clerk_client, "7891000000014", 2)

    assert response.status_code == 302
    assert response["Location"] == NEW
    page = clerk_client.get(NEW)
    assert cart(page) == [("DRK-001", 2)]
    assert page.context["lines"][0].line_total == Decimal("11.00")
    assert page.context["total"] == Decimal("11.00")
    assert b"Coca-Cola 350ml can" in page.content
    assert b"R$ 5.50" in page.content and b"R$ 11.00" in page.content


def test_scanning_a_sku_adds_a_line_and_scanning_it_again_adds_to_that_line(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001")
    scan(clerk_client, "SNK-002")
    scan(clerk_client, " DRK-001 ")

    page = clerk_client.get(NEW)
    assert cart(page) == [("DRK-001", 2), ("SNK-002", 1)]
    assert page.context["total"] == Decimal("22.90")


def test_the_cart_is_kept_in_the_session_under_one_key_until_it_is_sold(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001")
    key = clerk_client.session["sale_cart_key"]
    scan(clerk_client, "SNK-002")

    assert clerk_client.session["sale_cart"] == {"DRK-001": 1, "SNK-002": 1}
    assert clerk_client.session["sale_cart_key"] == key
    assert len(key) == 32


def test_scanning_an_unknown_code_shows_the_error_and_keeps_the_lines(
    clerk_client, cola
):
    scan(clerk_client, "DRK-001")

    response = scan(clerk_client, "NOPE-42")

    assert response.status_code == 200
    assert scan_error(response) == "No product on sale with the code NOPE-42."
    assert b"No product on sale with the code NOPE-42." in response.content
    assert cart(response) == [("DRK-001", 1)]


def test_a_product_taken_off_sale_cannot_be_scanned(clerk_client, cola):
    Product.objects.filter(pk=cola.pk).update(is_active=False)

    response = scan(clerk_client, "DRK-001")

    assert scan_error(response) == "No product on sale with the code DRK-001."
    assert cart(response) == []


def test_scanning_more_than_is_in_stock_shows_the_error_and_keeps_the_lines(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001")

    response = scan(clerk_client, "SNK-002", 3)

    assert response.status_code == 200
    assert scan_error(response) == (
        "Not enough stock of Potato chips 100g (SNK-002): 2 available."
    )
    assert cart(response) == [("DRK-001", 1)]


def test_the_stock_check_counts_what_is_already_in_the_cart(clerk_client, chips):
    scan(clerk_client, "SNK-002", 2)

    response = scan(clerk_client, "SNK-002")

    assert scan_error(response) == (
        "Not enough stock of Potato chips 100g (SNK-002): 2 available, "
        "2 already in this sale."
    )
    assert cart(response) == [("SNK-002", 2)]


@pytest.mark.parametrize("quantity", ["0", "-1", "1000", "1.5", "two", ""])
def test_a_quantity_that_is_not_a_whole_number_from_1_to_999_is_refused(
    clerk_client, cola, quantity
):
    scan(clerk_client, "DRK-001")

    response = scan(clerk_client, "DRK-001", quantity)

    assert response.status_code == 200
    assert scan_error(response) == (
        "The quantity must be a whole number from 1 to 999."
    )
    assert cart(response) == [("DRK-001", 1)]


def test_removing_a_line_keeps_the_others_and_updates_the_total(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001", 2)
    scan(clerk_client, "SNK-002")

    response = clerk_client.post(NEW, {"action": "remove", "sku": "DRK-001"})

    assert response.status_code == 302
    page = clerk_client.get(NEW)
    assert cart(page) == [("SNK-002", 1)]
    assert page.context["total"] == Decimal("11.90")


def test_finishing_sells_the_cart_and_redirects_to_its_receipt(
    clerk_client, clerk, cola, chips
):
    scan(clerk_client, "7891000000014", 3)
    scan(clerk_client, "SNK-002", 2)

    response = finish(clerk_client)

    sale = Sale.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:receipt", args=[sale.pk])
    assert (sale.clerk, sale.channel, sale.total) == (
        clerk,
        Sale.Channel.COUNTER,
        Decimal("40.30"),
    )
    cola.refresh_from_db()
    chips.refresh_from_db()
    assert (cola.stock, chips.stock) == (17, 0)
    moves = StockMovement.objects.filter(reason="sale", ref=str(sale.pk))
    assert sorted(moves.values_list("product__sku", "delta")) == [
        ("DRK-001", -3),
        ("SNK-002", -2),
    ]
    assert cart(clerk_client.get(NEW)) == []
    assert "sale_cart_key" not in clerk_client.session


def test_the_receipt_shows_the_store_the_sale_its_lines_and_total(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001", 3)
    scan(clerk_client, "SNK-002")

    receipt = clerk_client.get(finish(clerk_client)["Location"])

    sale = Sale.objects.get()
    assert receipt.status_code == 200
    text = receipt.content.decode()
    for expected in (
        "Pit Stop",
        f"No. {sale.pk}",
        "clerk",
        "Coca-Cola 350ml can",
        "Potato chips 100g",
        "R$ 16.50",
        "R$ 28.40",
        "@media print",
    ):
        assert expected in text
    assert "VOIDED" not in text


def test_the_receipt_shows_the_time_in_the_stores_time_zone(
    clerk_client, clerk, cola, settings
):
    settings.TIME_ZONE = "America/Sao_Paulo"
    sale, _ = sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    Sale.objects.filter(pk=sale.pk).update(
        created_at=datetime.datetime(2026, 3, 10, 2, 30, tzinfo=datetime.UTC)
    )

    response = clerk_client.get(reverse("sales:receipt", args=[sale.pk]))

    assert b"2026-03-09 23:30" in response.content


def test_pressing_finish_twice_sells_once_and_shows_the_same_receipt(
    clerk_client, cola
):
    scan(clerk_client, "DRK-001", 2)
    key = clerk_client.get(NEW).context["cart_key"]

    first = clerk_client.post(NEW, {"action": "finish", "key": key})
    second = clerk_client.post(NEW, {"action": "finish", "key": key})

    assert Sale.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    cola.refresh_from_db()
    assert cola.stock == 18


def test_a_finish_from_another_process_with_the_same_cart_sells_once(
    clerk_client, cola
):
    """Two web processes may both read the session before either clears the
    cart; the idempotency key makes the second one find the first's sale."""
    scan(clerk_client, "DRK-001", 2)
    key = clerk_client.get(NEW).context["cart_key"]
    first = clerk_client.post(NEW, {"action": "finish", "key": key})
    session = clerk_client.session
    session.update({"sale_cart": {"DRK-001": 2}, "sale_cart_key": key})
    del session["sale_last"]
    session.save()

    second = clerk_client.post(NEW, {"action": "finish", "key": key})

    assert Sale.objects.count() == 1
    assert second["Location"] == first["Location"]
    cola.refresh_from_db()
    assert cola.stock == 18


def test_a_cart_whose_key_was_sold_with_other_lines_gets_a_new_key(clerk_client, cola):
    """A scan racing a finish can leave the sold key on a changed cart: the
    clerk is told, and the next finish sells what the page shows."""
    scan(clerk_client, "DRK-001", 2)
    key = clerk_client.get(NEW).context["cart_key"]
    clerk_client.post(NEW, {"action": "finish", "key": key})
    session = clerk_client.session
    session.update({"sale_cart": {"DRK-001": 3}, "sale_cart_key": key})
    del session["sale_last"]
    session.save()

    refused = clerk_client.post(NEW, {"action": "finish", "key": key})

    assert "already sold" in refused.context["error"]
    assert cart(refused) == [("DRK-001", 3)]
    assert refused.context["cart_key"] not in ("", key)
    assert Sale.objects.count() == 1
    finish(clerk_client)
    assert Sale.objects.count() == 2
    cola.refresh_from_db()
    assert cola.stock == 15


def test_finishing_when_stock_ran_out_meanwhile_shows_the_error_and_keeps_the_cart(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001")
    scan(clerk_client, "SNK-002", 2)
    stock_count(counts={chips.pk: 1}, note="one bag torn")
    before = state()

    response = finish(clerk_client)

    assert response.status_code == 200
    assert response.context["error"] == (
        "Not enough stock of Potato chips 100g (SNK-002): 1 available, 2 wanted."
    )
    assert b"1 available, 2 wanted" in response.content
    assert cart(response) == [("DRK-001", 1), ("SNK-002", 2)]
    assert state() == before


def test_finishing_with_a_product_taken_off_sale_meanwhile_shows_the_error(
    clerk_client, cola, chips
):
    scan(clerk_client, "DRK-001")
    scan(clerk_client, "SNK-002")
    Product.objects.filter(pk=chips.pk).update(is_active=False)
    before = state()

    response = finish(clerk_client)

    assert response.context["error"] == "No product on sale with the code SNK-002."
    assert cart(response) == [("DRK-001", 1), ("SNK-002", 1)]
    assert response.context["total"] == Decimal("5.50")
    assert state() == before


def test_finishing_an_empty_sale_is_refused(clerk_client):
    response = clerk_client.post(NEW, {"action": "finish", "key": ""})

    assert response.status_code == 200
    assert response.context["error"] == "The sale is empty: scan a product first."
    assert Sale.objects.count() == 0


def test_finishing_from_a_page_older_than_the_cart_is_refused(clerk_client, cola):
    scan(clerk_client, "DRK-001")

    response = clerk_client.post(NEW, {"action": "finish", "key": "stale"})

    assert "changed in another window" in response.context["error"]
    assert cart(response) == [("DRK-001", 1)]
    assert Sale.objects.count() == 0


def test_a_user_without_the_sale_permissions_is_forbidden(client, roles, cola):
    client.force_login(UserFactory(username="driver"))
    sale, _ = sale_create(clerk=UserFactory(), lines=[("DRK-001", 1)])

    assert client.get(NEW).status_code == 403
    assert scan(client, "DRK-001").status_code == 403
    assert client.get(TODAY).status_code == 403
    assert client.get(reverse("sales:receipt", args=[sale.pk])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    for url in (NEW, TODAY, reverse("sales:receipt", args=[1])):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_clerk_logs_in_through_the_login_page_and_lands_on_the_sale_form(
    client, clerk
):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="username"' in page.content

    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == NEW
    assert b"Log out" in client.get(NEW).content


def test_a_clerk_cannot_see_another_clerks_receipt_and_a_manager_can(
    client, clerk, manager, cola
):
    other = UserFactory(username="other-clerk")
    other.groups.add(Group.objects.get(name=CLERKS))
    sale, _ = sale_create(clerk=other, lines=[("DRK-001", 1)])
    url = reverse("sales:receipt", args=[sale.pk])

    client.force_login(clerk)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_a_voided_sale_shows_the_voided_banner(clerk_client, clerk, manager, cola):
    sale, _ = sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    sale_void(sale_id=sale.pk, user=manager, reason="customer changed mind")

    response = clerk_client.get(reverse("sales:receipt", args=[sale.pk]))

    assert b"VOIDED" in response.content
    assert b"customer changed mind" in response.content


def test_today_lists_the_clerks_own_sales_with_their_total(
    clerk_client, clerk, manager, cola
):
    kept, _ = sale_create(clerk=clerk, lines=[("DRK-001", 2)])
    voided, _ = sale_create(clerk=clerk, lines=[("DRK-001", 1)])
    sale_void(sale_id=voided.pk, user=manager, reason="mistake")
    others, _ = sale_create(clerk=manager, lines=[("DRK-001", 5)])

    response = clerk_client.get(TODAY)

    assert response.status_code == 200
    assert [s.pk for s in response.context["sales"]] == [voided.pk, kept.pk]
    assert (response.context["count"], response.context["total"]) == (
        1,
        Decimal("11.00"),
    )
    text = response.content.decode()
    assert reverse("sales:receipt", args=[kept.pk]) in text
    assert reverse("sales:receipt", args=[others.pk]) not in text
    assert NEW in text
