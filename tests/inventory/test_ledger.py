import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.importing import products_import
from inventory.models import Product, StockMovement
from inventory.services import stock_count, stock_receive
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def ledger_sum(product: Product) -> int:
    return product.movements.aggregate(total=Sum("delta"))["total"] or 0


def test_a_receipt_adds_stock_and_one_ledger_row_per_product():
    cola, water = ProductFactory(stock=5), ProductFactory(stock=0)

    moves = stock_receive(
        supplier=cola.supplier,
        quantities={cola.pk: 12, water.pk: 24},
        reference="NF-77",
    )

    cola.refresh_from_db()
    water.refresh_from_db()
    assert (cola.stock, water.stock) == (17, 24)
    assert [(m.delta, m.reason, m.ref) for m in moves] == [
        (12, "receipt", "NF-77"),
        (24, "receipt", "NF-77"),
    ]
    assert ledger_sum(cola) == 17


@pytest.mark.usefixtures("in_english")
@pytest.mark.parametrize("qty", [0, -3])
def test_a_receipt_of_no_units_is_refused_and_changes_nothing(qty):
    product = ProductFactory(stock=5)

    with pytest.raises(ValidationError, match="1 or more"):
        stock_receive(supplier=None, quantities={product.pk: qty})

    product.refresh_from_db()
    assert product.stock == 5
    assert product.movements.count() == 1


def test_a_stocktake_books_the_difference_with_its_note():
    product = ProductFactory(stock=10)

    (move,) = stock_count(counts={product.pk: 7}, note="3 broken bottles")

    product.refresh_from_db()
    assert product.stock == 7
    assert (move.delta, move.reason, move.note, move.stock_after) == (
        -3,
        "adjustment",
        "3 broken bottles",
        7,
    )


def test_a_stocktake_matching_the_counter_writes_no_row():
    product = ProductFactory(stock=10)

    assert stock_count(counts={product.pk: 10}, note="all there") == []
    assert product.movements.count() == 1


@pytest.mark.usefixtures("in_english")
def test_a_stocktake_below_zero_is_refused():
    product = ProductFactory(stock=10)

    with pytest.raises(ValidationError, match="negative"):
        stock_count(counts={product.pk: -1}, note="typo")

    product.refresh_from_db()
    assert product.stock == 10


def test_the_database_refuses_negative_stock_even_from_raw_sql():
    product = ProductFactory(stock=2)

    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE inventory_product SET stock = -1 WHERE id = %s", [product.pk]
        )

    product.refresh_from_db()
    assert product.stock == 2


operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(1, 50)),
        st.tuples(st.just("count"), st.integers(0, 80)),
        st.tuples(st.just("import"), st.integers(0, 80)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.postgres
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_stock_always_equals_the_sum_of_its_movements(ops):
    product = ProductFactory(stock=0)
    for kind, qty in ops:
        if kind == "receive":
            stock_receive(supplier=None, quantities={product.pk: qty})
        elif kind == "count":
            stock_count(counts={product.pk: qty}, note="count")
        else:
            csv = f"sku,name,price,stock,reorder_point\n{product.sku},X,1.00,{qty},0\n"
            products_import(data=csv.encode())
        product.refresh_from_db()
        assert product.stock >= 0
        assert product.stock == ledger_sum(product)
        last = product.movements.order_by("pk").last()
        assert last is None or last.stock_after == product.stock
    assert StockMovement.objects.filter(product=product, delta=0).count() == 0
