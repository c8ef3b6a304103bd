"""import_products' pack_size column and import_suppliers: upsert, all or
nothing, every bad row listed."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from inventory.exceptions import ImportRejected
from inventory.importing import products_export, products_import
from inventory.models import Product, Supplier
from inventory.suppliers_import import suppliers_import
from tests.factories import ProductFactory, SupplierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_pack_size_is_read_kept_when_blank_and_refused_at_zero():
    products_import(
        data=b"sku,name,price,stock,reorder_point,pack_size\n"
        b"COLA,Cola,5.50,10,2,12\nGUM,Gum,1.00,10,2,\n"
    )
    assert dict(Product.objects.values_list("sku", "pack_size")) == {
        "COLA": 12,
        "GUM": 1,
    }
    products_import(
        data=b"sku,name,price,stock,reorder_point,pack_size\nCOLA,Cola,5.50,10,2,\n"
    )
    assert Product.objects.get(sku="COLA").pack_size == 12

    with pytest.raises(ImportRejected) as rejected:
        products_import(
            data=b"sku,name,price,stock,reorder_point,pack_size\n"
            b"COLA,Cola,5.50,10,2,0\nGUM,Gum,1.00,10,2,six\n"
        )
    assert rejected.value.errors == [
        "row 2: pack_size: must be 1 or more (units per case)",
        "row 3: pack_size: 'six' is not a whole number of 0 or more",
    ]
    assert Product.objects.get(sku="COLA").pack_size == 12


def test_suppliers_are_upserted_by_name(tmp_path, capsys):
    SupplierFactory(name="Bebidas Sul", email="old@example.com", lead_time_days=2)
    path = tmp_path / "suppliers.csv"
    path.write_text(
        "name,email,phone,lead_time_days,min_order_value\n"
        "Bebidas Sul,pedidos@bebidassul.example,,3,300.00\n"
        "Atacado Central,compras@atacado.example,+55 11 4000-1005,2,\n",
        encoding="utf-8",
    )

    call_command("import_suppliers", str(path))

    assert "1 created, 1 updated, 0 unchanged" in capsys.readouterr().out
    sul = Supplier.objects.get(name="Bebidas Sul")
    assert (sul.email, sul.lead_time_days, sul.min_order_value) == (
        "pedidos@bebidassul.example",
        3,
        Decimal("300.00"),
    )
    atacado = Supplier.objects.get(name="Atacado Central")
    assert (atacado.phone, atacado.min_order_value) == ("+55 11 4000-1005", 0)


def test_a_bad_supplier_file_is_rejected_whole_with_every_row_named(tmp_path, capsys):
    path = tmp_path / "suppliers.csv"
    path.write_text(
        "name,email,lead_time_days,min_order_value\n"
        "Good One,good@example.com,2,10\n"
        ",x@example.com,2,10\n"
        "Bad Mail,not-an-email,2,10\n"
        "Slow,slow@example.com,-1,10\n"
        "Cheap,cheap@example.com,2,ten\n"
        "Good One,again@example.com,2,10\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="rejected: 5 error"):
        call_command("import_suppliers", str(path))

    assert capsys.readouterr().err.splitlines() == [
        "row 3: name: required",
        "row 4: email: 'not-an-email' is not an e-mail address",
        "row 5: lead_time_days: '-1' is not a whole number from 0 to 365",
        "row 6: min_order_value: 'ten' is not an amount like 300.00",
        "row 7: name 'Good One' is already on row 2",
    ]
    assert not Supplier.objects.exists()


def test_an_unknown_column_is_refused():
    with pytest.raises(ImportRejected) as rejected:
        suppliers_import(data=b"name,fax\nA,123\n")
    assert rejected.value.errors == ["row 1: unknown column(s): fax"]


def test_the_export_carries_pack_size_and_reads_back_unchanged():
    ProductFactory(sku="COLA", pack_size=12)
    rows = list(products_export(Product.objects.select_related("category", "supplier")))

    column = rows[0].index("pack_size")
    assert rows[1][column] == "12"
