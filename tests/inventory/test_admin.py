import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Product, StockMovement
from tests.factories import ProductFactory
from tests.test_csvsafe import HYPERLINK

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

CHANGELIST = reverse("admin:inventory_product_changelist")


@pytest.fixture
def catalogue():
    return [
        ProductFactory(sku="DRK-001", name="Cola", barcode="7891000000014", stock=50),
        ProductFactory(sku="SNK-001", name="Coxinha", stock=2, reorder_point=3),
    ]


def listed(response) -> list[str]:
    return [p.sku for p in response.context["cl"].result_list]


def test_the_manager_sees_the_catalogue_with_low_stock_marked(
    manager_client, catalogue
):
    response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    assert listed(response) == ["DRK-001", "SNK-001"]
    # The "low" column itself, row by row (both products are active, so an
    # icon-yes from the "active" column cannot stand in for it).
    assert low_column(response.content.decode()) == {
        "DRK-001": "no",
        "SNK-001": "yes",
    }


def low_column(html: str) -> dict[str, str]:
    marks = {}
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S):
        sku = re.search(r'class="field-sku"><a [^>]*>([^<]+)</a>', row)
        icon = re.search(r'class="field-low_stock"><img src="[^"]*icon-(yes|no)', row)
        if sku and icon:
            marks[sku[1]] = icon[1]
    return marks


@pytest.mark.parametrize("term", ["DRK-001", "7891000000014", "cola"])
def test_search_finds_by_sku_barcode_and_name(manager_client, catalogue, term):
    assert listed(manager_client.get(CHANGELIST, {"q": term})) == ["DRK-001"]


def test_the_low_stock_filter_shows_products_at_or_below_their_point(
    manager_client, catalogue
):
    assert listed(manager_client.get(CHANGELIST, {"stock_level": "low"})) == ["SNK-001"]
    assert listed(manager_client.get(CHANGELIST, {"stock_level": "ok"})) == ["DRK-001"]


def test_the_other_filters_keep_only_the_matching_products(manager_client, catalogue):
    drink = catalogue[0]
    ProductFactory(sku="OFF-001", is_active=False, category=drink.category)

    for params, expected in (
        ({"is_active__exact": "1"}, ["DRK-001", "SNK-001"]),
        ({"is_active__exact": "0"}, ["OFF-001"]),
        ({"category__id__exact": drink.category_id}, ["DRK-001", "OFF-001"]),
        ({"supplier__id__exact": drink.supplier_id}, ["DRK-001"]),
    ):
        assert listed(manager_client.get(CHANGELIST, params)) == expected, params


def test_adding_a_product_starts_it_at_zero_stock(manager_client):
    response = manager_client.post(
        reverse("admin:inventory_product_add"),
        {"sku": "NEW-1", "name": "New", "price": "3.00", "cost": "1.00"}
        | {"reorder_point": "2", "par_level": "6", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Product.objects.get(sku="NEW-1").stock == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price": "-1.00"}, "greater than or equal to 0"),
        ({"reorder_point": "9", "par_level": "4"}, "par level cannot be below"),
    ],
)
def test_the_product_form_refuses_bad_values(
    manager_client, catalogue, change, message
):
    product = catalogue[0]
    data = {
        "sku": product.sku,
        "name": product.name,
        "price": "5.00",
        "cost": "2.00",
        "reorder_point": "3",
        "par_level": "6",
        "is_active": "on",
    } | change

    response = manager_client.post(
        reverse("admin:inventory_product_change", args=[product.pk]), data
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    product.refresh_from_db()
    assert product.price == Decimal("5.00")


def test_stock_cannot_be_typed_on_the_product_form(manager_client, catalogue):
    product = catalogue[0]
    response = manager_client.get(
        reverse("admin:inventory_product_change", args=[product.pk])
    )

    assert "stock" not in response.context["adminform"].form.fields


def test_a_receipt_from_the_admin_books_the_delivery(manager_client, catalogue):
    cola, coxinha = catalogue
    action = manager_client.post(
        CHANGELIST,
        {"action": "receive_goods", "_selected_action": [cola.pk, coxinha.pk]},
    )
    page = action["Location"]

    assert manager_client.get(page).status_code == 200
    response = manager_client.post(
        page,
        {f"qty_{cola.pk}": "12", f"qty_{coxinha.pk}": "20", "reference": "NF-1"}
        | {"supplier": cola.supplier_id},
    )

    assert response.status_code == 302
    cola.refresh_from_db()
    coxinha.refresh_from_db()
    assert (cola.stock, coxinha.stock) == (62, 22)


def test_a_receipt_of_zero_units_is_refused(manager_client, catalogue):
    cola = catalogue[0]
    page = reverse("admin:inventory_product_receive") + f"?ids={cola.pk}"

    response = manager_client.post(page, {f"qty_{cola.pk}": "0"})

    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    cola.refresh_from_db()
    assert cola.stock == 50


def test_a_stocktake_from_the_admin_books_the_difference(manager_client, catalogue):
    cola = catalogue[0]
    page = reverse("admin:inventory_product_stocktake") + f"?ids={cola.pk}"

    refused = manager_client.post(page, {f"qty_{cola.pk}": "-1", "note": "typo"})
    assert refused.status_code == 200
    response = manager_client.post(page, {f"qty_{cola.pk}": "47", "note": "broken"})

    assert response.status_code == 302
    cola.refresh_from_db()
    assert cola.stock == 47
    assert cola.movements.latest("pk").note == "broken"


def test_the_admin_import_reports_errors_and_writes_nothing(manager_client):
    page = reverse("admin:inventory_product_import")
    bad = SimpleUploadedFile(
        "bad.csv", b"sku,name,price,stock,reorder_point\nA,X,?,1,1\n"
    )

    response = manager_client.post(page, {"file": bad})

    assert "row 2: price: &#x27;?&#x27; is not an amount" in response.content.decode()
    assert not Product.objects.exists()

    good = SimpleUploadedFile(
        "ok.csv", b"sku,name,price,stock,reorder_point\nA,X,1,4,1\n"
    )
    assert manager_client.post(page, {"file": good}).status_code == 302
    assert Product.objects.get(sku="A").stock == 4


FIELDS = ["sku", "name", "price", "stock", "reorder_point", "par_level", "barcode"]
FIELDS += ["cost", "category__name", "supplier__name", "updated_at"]


def test_the_export_reads_back_as_an_unchanged_import(manager_client, catalogue):
    catalogue.append(ProductFactory(sku="-EVIL", name=HYPERLINK))
    before = list(Product.objects.order_by("sku").values(*FIELDS))
    response = manager_client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [p.pk for p in catalogue]},
    )
    data = b"".join(response.streaming_content)

    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [(r["sku"], r["name"]) for r in rows] == [
        ("'-EVIL", "'" + HYPERLINK),  # a spreadsheet shows it, never runs it
        ("DRK-001", "Cola"),
        ("SNK-001", "Coxinha"),
    ]
    page = reverse("admin:inventory_product_import")
    response = manager_client.post(
        page, {"file": SimpleUploadedFile("p.csv", data)}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "p.csv: 0 created, 0 updated, 3 unchanged, 0 stock change(s)."
    ]
    assert list(Product.objects.order_by("sku").values(*FIELDS)) == before
    assert StockMovement.objects.count() == 3  # the opening receipts only


def test_the_ledger_is_read_only(manager_client, catalogue):
    ledger = reverse("admin:inventory_stockmovement_changelist")
    move = catalogue[0].movements.get()

    assert manager_client.get(ledger).status_code == 200
    assert (
        manager_client.get(reverse("admin:inventory_stockmovement_add")).status_code
        == 403
    )
    assert (
        manager_client.post(
            reverse("admin:inventory_stockmovement_delete", args=[move.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )


def test_a_clerk_gets_no_admin(clerk_client):
    response = clerk_client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
