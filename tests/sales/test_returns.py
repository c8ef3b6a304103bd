from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.urls import reverse
from rest_framework.test import APIClient

from inventory.models import Product, StockMovement
from sales.exceptions import (
    InvalidReturn,
    OverReturn,
    ReturnKeyReused,
    SaleNotReturnable,
    SaleNotVoidable,
)
from sales.models import Return, Sale
from sales.returns import sale_return
from sales.services import sale_create, sale_void
from tests.factories import PASSWORD, ProductFactory
from tests.sales.till import till_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def sale(clerk):
    ProductFactory(sku="COLA", name="Cola", price=Decimal("5.50"), stock=10)
    ProductFactory(sku="CHIPS", name="Chips", price=Decimal("11.90"), stock=10)
    sale, _ = sale_create(
        clerk=clerk, lines=[("COLA", 3), ("CHIPS", 1)], payment="debit"
    )
    # A later price change must not change what a refund pays back.
    Product.objects.filter(sku="COLA").update(price=Decimal("9.99"))
    return sale


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def stock(sku: str) -> int:
    return Product.objects.get(sku=sku).stock


def ledger_agrees(sku: str) -> bool:
    product = Product.objects.get(sku=sku)
    return product.stock == product.movements.aggregate(s=Sum("delta"))["s"]


def test_a_manager_returns_some_units_refunded_at_the_price_sold_and_restocked(
    sale, manager
):
    ret, created = sale_return(
        sale_id=sale.pk, user=manager, lines=[("COLA", 2)], restock=True
    )

    assert created
    assert (ret.total, ret.refund_method, ret.restock) == (
        Decimal("11.00"),
        "debit",
        True,
    )
    assert stock("COLA") == 9
    move = StockMovement.objects.get(reason="return")
    assert (move.product.sku, move.delta, move.ref) == ("COLA", 2, f"return {ret.pk}")
    assert ledger_agrees("COLA")
    line = sale.lines.get(product__sku="COLA")
    assert (line.returned_quantity, line.returnable) == (2, 1)


def test_units_written_off_come_back_as_return_and_leave_as_waste(sale, manager):
    sale_return(
        sale_id=sale.pk,
        user=manager,
        lines=[("CHIPS", 1)],
        restock=False,
        refund_method="cash",
    )

    assert stock("CHIPS") == 9  # as after the sale: nothing back on the shelf
    assert list(
        StockMovement.objects.filter(product__sku="CHIPS")
        .order_by("pk")
        .values_list("reason", "delta", "stock_after")
    ) == [("receipt", 10, 10), ("sale", -1, 9), ("return", 1, 10), ("waste", -1, 9)]
    assert ledger_agrees("CHIPS")
    assert Return.objects.get().refund_method == "cash"


def test_never_more_than_sold_less_already_returned(sale, manager):
    sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", 2)], restock=True)
    before = till_state()

    with pytest.raises(OverReturn) as refused:
        sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", 2)], restock=True)

    assert (refused.value.sku, refused.value.returnable) == ("COLA", 1)
    assert till_state() == before


@pytest.mark.parametrize("qty", [0, -1, 1.5, "1", True])
def test_a_return_of_zero_negative_or_odd_units_is_refused(sale, manager, qty):
    before = till_state()

    with pytest.raises(InvalidReturn, match="whole number, 1 or more"):
        sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", qty)], restock=True)

    assert till_state() == before


def test_returning_a_product_the_sale_did_not_have_is_refused(sale, manager):
    ProductFactory(sku="WATER")
    with pytest.raises(InvalidReturn, match=f"Sale {sale.pk} has no WATER"):
        sale_return(sale_id=sale.pk, user=manager, lines=[("WATER", 1)], restock=True)


def test_returning_a_voided_sale_is_refused(sale, manager):
    sale_void(sale_id=sale.pk, user=manager, reason="wrong card")
    before = till_state()

    with pytest.raises(SaleNotReturnable, match="voided"):
        sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", 1)], restock=True)

    assert till_state() == before


def test_a_sale_with_returns_can_no_longer_be_voided_whole(sale, manager):
    sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", 1)], restock=True)

    with pytest.raises(SaleNotVoidable, match="has returns"):
        sale_void(sale_id=sale.pk, user=manager, reason="oops")
    assert stock("COLA") == 8


def test_a_clerk_needs_a_managers_approval(sale, clerk, manager):
    with pytest.raises(PermissionDenied):
        sale_return(sale_id=sale.pk, user=clerk, lines=[("COLA", 1)], restock=True)
    assert Return.objects.count() == 0

    ret, _ = sale_return(
        sale_id=sale.pk,
        user=clerk,
        approved_by=manager,
        lines=[("COLA", 1)],
        restock=True,
    )
    assert (ret.user, ret.approved_by) == (clerk, manager)


def test_a_clerk_given_the_permission_returns_without_approval(sale, clerk):
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(Permission.objects.get(codename="return_sale"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # a fresh permission cache

    ret, _ = sale_return(sale_id=sale.pk, user=clerk, lines=[("COLA", 1)], restock=True)

    assert ret.approved_by is None


def test_the_same_key_returns_the_same_return_and_another_body_is_refused(
    sale, manager
):
    first, _ = sale_return(
        sale_id=sale.pk,
        user=manager,
        lines=[("COLA", 1)],
        restock=True,
        idempotency_key="r-1",
    )
    again, created = sale_return(
        sale_id=sale.pk,
        user=manager,
        lines=[("COLA", 1)],
        restock=True,
        idempotency_key="r-1",
    )
    assert (again, created) == (first, False)
    before = till_state()

    for other in (
        {"lines": [("COLA", 2)], "restock": True},
        {"lines": [("COLA", 1)], "restock": False},
        {"lines": [("CHIPS", 1)], "restock": True},
    ):
        with pytest.raises(ReturnKeyReused):
            sale_return(sale_id=sale.pk, user=manager, idempotency_key="r-1", **other)
    assert till_state() == before


# --- the API -----------------------------------------------------------------


def test_the_api_returns_units_for_a_manager(api, sale):
    response = api.post(
        f"/api/sales/{sale.pk}/returns/",
        {
            "lines": [{"sku": "COLA", "qty": 2}],
            "restock": True,
            "idempotency_key": "api-r-1",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    ret = Return.objects.get()
    assert body == {
        "id": ret.pk,
        "sale": sale.pk,
        "created_at": body["created_at"],
        "total": "11.00",
        "refund_method": "debit",
        "restock": True,
        "lines": [
            {"sku": "COLA", "qty": 2, "unit_price": "5.50", "line_total": "11.00"}
        ],
    }
    again = api.post(
        f"/api/sales/{sale.pk}/returns/",
        {"lines": [{"sku": "COLA", "qty": 2}], "idempotency_key": "api-r-1"},
        format="json",
    )
    assert (again.status_code, again.json()) == (200, body)
    detail = api.get(f"/api/sales/{sale.pk}/").json()
    assert [r["id"] for r in detail["returns"]] == [ret.pk]
    assert [(x["sku"], x["returned"]) for x in detail["lines"]] == [
        ("COLA", 2),
        ("CHIPS", 0),
    ]


def test_the_api_answers_409_over_return_with_what_is_returnable(api, sale, manager):
    sale_return(sale_id=sale.pk, user=manager, lines=[("COLA", 1)], restock=True)
    before = till_state()

    response = api.post(
        f"/api/sales/{sale.pk}/returns/",
        {"lines": [{"sku": "COLA", "qty": 3}], "restock": True},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() | {"message": ""} == {
        "error": "over_return",
        "sku": "COLA",
        "returnable": 2,
        "message": "",
    }
    assert till_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "COLA", "qty": 0}]}, "lines.0.qty"),
        ({"lines": [{"sku": "COLA", "qty": -2}]}, "lines.0.qty"),
        ({"lines": [{"sku": "COLA", "qty": "1"}]}, "lines.0.qty"),
        ({"lines": []}, "lines"),
        ({"lines": "COLA"}, "lines"),
        ({"lines": [{"sku": "COLA", "qty": 1}], "restock": "yes"}, "restock"),
        (
            {"lines": [{"sku": "COLA", "qty": 1}], "refund_method": "gold"},
            "refund_method",
        ),
    ],
)
def test_bad_returns_in_the_api_are_refused_and_change_nothing(api, sale, body, field):
    before = till_state()

    response = api.post(f"/api/sales/{sale.pk}/returns/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["error"], response.json()["field"]) == ("invalid", field)
    assert till_state() == before


def test_the_api_refuses_a_product_the_sale_did_not_have(api, sale):
    ProductFactory(sku="WATER")

    response = api.post(
        f"/api/sales/{sale.pk}/returns/",
        {"lines": [{"sku": "WATER", "qty": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() | {"message": ""} == {
        "error": "not_in_sale",
        "sku": "WATER",
        "message": "",
    }


def test_the_api_refuses_a_voided_sale_and_a_reused_key(api, sale, manager):
    sale_return(
        sale_id=sale.pk,
        user=manager,
        lines=[("COLA", 1)],
        restock=True,
        idempotency_key="k",
    )
    reused = api.post(
        f"/api/sales/{sale.pk}/returns/",
        {"lines": [{"sku": "CHIPS", "qty": 1}], "idempotency_key": "k"},
        format="json",
    )
    assert (reused.status_code, reused.json()["error"]) == (
        409,
        "idempotency_key_reused",
    )

    other, _ = sale_create(clerk=manager, lines=[("CHIPS", 1)])
    sale_void(sale_id=other.pk, user=manager, reason="test")
    voided = api.post(
        f"/api/sales/{other.pk}/returns/",
        {"lines": [{"sku": "CHIPS", "qty": 1}]},
        format="json",
    )
    assert (voided.status_code, voided.json()["error"]) == (409, "not_returnable")
    assert api.post("/api/sales/999999/returns/", {}, format="json").status_code == 404


def test_the_returns_api_is_for_managers_only(sale, clerk):
    client = APIClient()
    client.force_authenticate(clerk)

    response = client.post(
        f"/api/sales/{sale.pk}/returns/",
        {"lines": [{"sku": "COLA", "qty": 1}]},
        format="json",
    )

    assert response.status_code == 403
    assert Return.objects.count() == 0


# --- from the receipt ----------------------------------------------------------


def return_form(client, sale, **fields):
    page = client.get(reverse("sales:return", args=[sale.pk]))
    form = page.context["form"]
    data = {
        "key": form["key"].value(),
        "restock": "yes",
        "refund_method": form["refund_method"].value(),
    }
    for line, field in form.rows():
        data[field.html_name] = fields.pop(line.product.sku, 0)
    return client.post(reverse("sales:return", args=[sale.pk]), data | fields)


def test_a_clerk_returns_from_the_receipt_with_the_managers_password(
    clerk_client, sale, manager
):
    receipt = clerk_client.get(reverse("sales:receipt", args=[sale.pk]))
    assert reverse("sales:return", args=[sale.pk]).encode() in receipt.content
    before = till_state()

    refused = return_form(
        clerk_client,
        sale,
        COLA=1,
        manager_username="manager",
        manager_password="wrong",
    )
    assert "A manager must approve this return" in refused.context["error"]
    assert till_state() == before

    done = return_form(
        clerk_client,
        sale,
        COLA=1,
        manager_username="manager",
        manager_password=PASSWORD,
    )

    assert done["Location"] == reverse("sales:receipt", args=[sale.pk])
    ret = Return.objects.get()
    assert (ret.approved_by, ret.total, stock("COLA")) == (
        manager,
        Decimal("5.50"),
        8,
    )
    page = clerk_client.get(done["Location"]).content.decode()
    assert 'id="returns"' in page
    assert "\N{MINUS SIGN}R$ 5.50" in page
    assert "Refunded by Debit card" in page


def test_a_manager_returns_from_the_receipt_without_a_password(manager_client, sale):
    page = manager_client.get(reverse("sales:return", args=[sale.pk]))
    assert b"manager_password" not in page.content

    return_form(manager_client, sale, CHIPS=1, restock="no")

    ret = Return.objects.get()
    assert (ret.restock, ret.total) == (False, Decimal("11.90"))
    assert stock("CHIPS") == 9


def test_the_sales_admin_shows_returns_and_filters_by_method(manager_client, sale):
    other, _ = sale_create(
        clerk=Sale.objects.get().clerk, lines=[("CHIPS", 1)], payment="pix"
    )

    page = manager_client.get(reverse("admin:sales_sale_changelist") + "?payment=pix")

    assert list(page.context["cl"].result_list) == [other]
    assert (
        manager_client.get(reverse("admin:sales_return_changelist")).status_code == 200
    )


def test_a_write_off_at_the_reorder_point_keeps_the_one_open_alert(clerk, manager):
    from inventory.models import LowStockAlert

    ProductFactory(sku="MILK", price=Decimal("6.00"), stock=5, reorder_point=3)
    sale, _ = sale_create(clerk=clerk, lines=[("MILK", 3)])  # 5 -> 2: alert opens
    alert = LowStockAlert.objects.get()

    sale_return(sale_id=sale.pk, user=manager, lines=[("MILK", 2)], restock=False)

    assert list(LowStockAlert.objects.all()) == [alert]
    alert.refresh_from_db()
    assert alert.is_open
    assert stock("MILK") == 2
    assert ledger_agrees("MILK")
