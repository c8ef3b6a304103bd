from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from inventory.exceptions import ImportRejected
from inventory.importing import products_import
from inventory.models import LowStockAlert, Product, StockMovement
from tests.factories import ProductFactory

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

GOOD = (
    b"sku,name,price,stock,reorder_point,barcode,category,cost,par_level,supplier\n"
    b"DRK-001,Cola 350ml,5.50,48,12,7891000000014,Drinks,2.90,72,Bebidas Sul\n"
    b"SNK-001,Coxinha,8.50,25,8,,Snacks,3.60,40,Lanches Rodovia\n"
    b"CAR-001,Engine oil 1L,49.90,12,4,,,,,\n"
)


def snapshot():
    return (
        list(Product.objects.order_by("sku").values()),
        StockMovement.objects.count(),
    )


def test_a_good_file_creates_products_and_books_their_stock_as_imports():
    summary = products_import(data=GOOD, source="catalogue.csv")

    assert (summary.created, summary.updated, summary.stock_changes) == (3, 0, 3)
    cola = Product.objects.get(sku="DRK-001")
    assert cola.price == Decimal("5.50")
    assert cola.stock == 48
    assert (cola.category.name, cola.supplier.name) == ("Drinks", "Bebidas Sul")
    assert cola.par_level == 72
    oil = Product.objects.get(sku="CAR-001")
    assert oil.category is None
    assert oil.par_level == 8  # no par level given: twice the reorder point
    (move,) = cola.movements.all()
    assert (move.delta, move.reason, move.ref) == (48, "import", "import catalogue.csv")


def test_reimporting_the_same_file_changes_nothing():
    products_import(data=GOOD)
    before = snapshot()

    summary = products_import(data=GOOD)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_an_update_changes_fields_and_books_the_stock_difference():
    product = ProductFactory(sku="DRK-001", stock=40, price=Decimal("5.00"))

    summary = products_import(
        data=b"sku,name,price,stock,reorder_point\nDRK-001,Cola,5.90,36,3\n"
    )

    product.refresh_from_db()
    assert (summary.updated, summary.stock_changes) == (1, 1)
    assert (product.name, product.price, product.stock) == ("Cola", Decimal("5.90"), 36)
    assert product.movements.latest("pk").delta == -4
    assert product.supplier is not None  # an absent column leaves the value alone


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"sku,name,price,stock,reorder_point\nA,Cola,5.50,1,1\nB,Water,abc,1,1\n"
            b"C,Tea,-2,1,1\n",
            [
                "row 3: price: 'abc' is not an amount like 12.50",
                "row 4: price: '-2' must be between 0 and 99999999.99",
            ],
        ),
        (
            b"sku,name,price,stock,reorder_point\nA,Cola,5.50,1,1\nB,Water,2,1,1\n"
            b"A,Cola again,5.50,1,1\n",
            ["row 4: sku 'A' is already on row 2"],
        ),
        (
            b"sku,name,price,stock,reorder_point\nA,Cola,5.50,-4,1\nB,Tea,1,2.5,1\n",
            [
                "row 2: stock: '-4' is not a whole number of 0 or more",
                "row 3: stock: '2.5' is not a whole number of 0 or more",
            ],
        ),
        (
            b"sku,name,stock,reorder_point\nA,Cola,1,1\n",
            ["row 1: missing column(s): price"],
        ),
        (
            b"sku,name,price,stock,reorder_point\nA,Cola,5.50,1,1\nB,P\xe3o,2,1,1\n",
            ["row 3: not UTF-8 text (save the file as CSV UTF-8)"],
        ),
        (
            b"sku,name,price,stock,reorder_point,par_level\nA,Cola,5.50,1,10,4\n",
            ["row 2: par_level: 4 is below reorder_point 10"],
        ),
    ],
    ids=[
        "bad-price",
        "duplicate-sku",
        "bad-stock",
        "missing-column",
        "not-utf8",
        "par",
    ],
)
def test_a_bad_file_is_refused_whole_with_every_row_named(data, expected):
    ProductFactory(sku="A", name="Cola", stock=9)
    before = snapshot()

    with pytest.raises(ImportRejected) as refused:
        products_import(data=data)

    assert refused.value.errors == expected
    assert snapshot() == before


def test_a_barcode_owned_by_another_product_is_refused():
    ProductFactory(sku="A", barcode="7891000000014")

    with pytest.raises(ImportRejected) as refused:
        products_import(
            data=b"sku,name,price,stock,reorder_point,barcode\nB,X,1,1,1,7891000000014\n"
        )

    assert refused.value.errors == ["row 2: barcode '7891000000014' belongs to A"]


def test_the_command_imports_and_reports(tmp_path, capsys):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(GOOD)

    call_command("import_products", str(path))

    assert (
        "3 created, 0 updated, 0 unchanged, 3 stock change(s)"
        in capsys.readouterr().out
    )


def test_the_command_lists_the_errors_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"sku,name,price,stock,reorder_point\nA,Cola,x,1,1\n")

    with pytest.raises(CommandError, match="rejected: 1 error"):
        call_command("import_products", str(path))

    assert "row 2: price: 'x' is not an amount" in capsys.readouterr().err
    assert not Product.objects.exists()


def test_an_update_can_move_a_product_to_another_category_and_supplier():
    products_import(data=GOOD)

    products_import(
        data=b"sku,name,price,stock,reorder_point,barcode,category,supplier\n"
        b"DRK-001,Cola 350ml,5.50,48,12,7891000000021,Soft drinks,Atacado\n"
    )

    cola = Product.objects.select_related("category", "supplier").get(sku="DRK-001")
    assert (cola.category.name, cola.supplier.name) == ("Soft drinks", "Atacado")
    assert cola.barcode == "7891000000021"
    assert cola.updated_at > cola.created_at


# ------------------------------------------------------------------------------
# Through the one stock writer: crossings, the ledger, many rows
# ------------------------------------------------------------------------------


def test_an_import_that_takes_stock_to_the_reorder_point_opens_its_alert(
    reports_storage, django_capture_on_commit_callbacks
):
    product = ProductFactory(sku="DRK-001", stock=10, reorder_point=3)

    with django_capture_on_commit_callbacks(execute=True):
        products_import(
            data=b"sku,name,price,stock,reorder_point\nDRK-001,Cola,5.00,3,3\n"
        )

    alert = product.low_stock_alerts.get()
    assert (alert.is_open, alert.stock_at_open, alert.movement.reason) == (
        True,
        3,
        "import",
    )
    (day,) = (reports_storage / "events" / "low-stock").iterdir()
    assert len(list(day.iterdir())) == 1  # its event, written after commit


def test_an_import_that_lifts_stock_above_the_point_closes_the_alert():
    product = ProductFactory(sku="DRK-001", stock=10, reorder_point=3)
    products_import(data=b"sku,name,price,stock,reorder_point\nDRK-001,Cola,5,2,3\n")
    assert product.low_stock_alerts.get().is_open

    products_import(data=b"sku,name,price,stock,reorder_point\nDRK-001,Cola,5,9,3\n")

    assert not product.low_stock_alerts.get().is_open


def test_a_new_product_imported_below_its_point_opens_no_alert():
    products_import(data=b"sku,name,price,stock,reorder_point\nNEW,New,5,2,3\n")

    assert Product.objects.get(sku="NEW").low_stock_alerts.count() == 0


def rows(n: int, stock) -> bytes:
    lines = [b"sku,name,price,stock,reorder_point"]
    lines += [b"SKU-%05d,Product %d,1.00,%d,5" % (i, i, stock(i)) for i in range(n)]
    return b"\n".join(lines) + b"\n"


def test_thousands_of_rows_keep_counter_and_ledger_in_step():
    # 2,500 rows: three chunks of the stock writer's UPDATE … FROM (VALUES …).
    products_import(data=rows(2500, lambda i: 20 + i % 7))

    summary = products_import(data=rows(2500, lambda i: i % 11))

    assert summary.updated == summary.stock_changes == 2500
    counters = dict(Product.objects.values_list("sku", "stock"))
    assert counters == {f"SKU-{i:05d}": i % 11 for i in range(2500)}
    ledger = {}
    for sku, delta in StockMovement.objects.values_list("product__sku", "delta"):
        ledger[sku] = ledger.get(sku, 0) + delta
    assert ledger == counters
    crossed = {f"SKU-{i:05d}" for i in range(2500) if i % 11 <= 5}
    open_alerts = LowStockAlert.objects.filter(closed_at__isnull=True)
    assert set(open_alerts.values_list("product__sku", flat=True)) == crossed


def test_the_kiosk_flags_are_yes_no_columns_kept_when_absent():
    products_import(
        data=b"sku,name,price,stock,reorder_point,age_restricted,attendant_only\n"
        b"BER-001,Beer,6.90,10,2,yes,no\n"
        b"TOB-001,Lighter,5.00,10,2,No,YES\n"
    )
    assert list(
        Product.objects.order_by("sku").values_list(
            "sku", "age_restricted", "attendant_only"
        )
    ) == [("BER-001", True, False), ("TOB-001", False, True)]

    # Updated in place; a file without the columns leaves them as they are.
    products_import(
        data=b"sku,name,price,stock,reorder_point,age_restricted\n"
        b"BER-001,Beer,6.90,10,2,no\nTOB-001,Lighter,5.00,9,2,\n"
    )
    assert list(
        Product.objects.order_by("sku").values_list("age_restricted", "attendant_only")
    ) == [(False, False), (False, True)]


def test_a_kiosk_flag_other_than_yes_or_no_rejects_the_file():
    before = snapshot()

    with pytest.raises(ImportRejected) as rejected:
        products_import(
            data=b"sku,name,price,stock,reorder_point,age_restricted\n"
            b"BER-001,Beer,6.90,10,2,maybe\n"
        )

    assert rejected.value.errors == ["row 2: age_restricted: 'maybe' is not yes or no"]
    assert snapshot() == before
