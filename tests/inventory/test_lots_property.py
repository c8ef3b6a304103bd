"""The perishables' invariant under random work, on PostgreSQL: stock = sum of
the lots' units left = sum of the ledger, whatever mix of sales, receipts,
returns, voids, write-offs, stocktakes and imports."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.exceptions import InsufficientStock
from inventory.importing import products_import
from inventory.perishables import lot_write_off
from inventory.services import stock_count, stock_receive
from sales.exceptions import OverReturn, SaleNotReturnable, SaleNotVoidable
from sales.models import Sale
from sales.returns import sale_return
from sales.services import sale_create, sale_void
from tests.inventory.lots import assert_lots_agree, day, perishable

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

REFUSALS = (
    InsufficientStock,
    ValidationError,
    OverReturn,
    SaleNotVoidable,
    SaleNotReturnable,
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("sell"), st.integers(1, 12)),
        st.tuples(st.just("receive"), st.integers(1, 20), st.integers(-2, 9)),
        st.tuples(st.just("return"), st.integers(1, 4), st.booleans(), st.integers()),
        st.tuples(st.just("void"), st.integers()),
        st.tuples(st.just("write_off"), st.integers(1, 6), st.integers()),
        st.tuples(st.just("count"), st.integers(0, 40)),
        st.tuples(st.just("import"), st.integers(0, 40)),
    ),
    min_size=1,
    max_size=15,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_stock_lots_and_ledger_always_agree(manager, ops):
    milk = perishable((6, -1), (5, 2), (5, 7))
    for op, *args in ops:
        # A refused change is refused whole: the invariant holds all the same.
        with contextlib.suppress(*REFUSALS):
            apply(manager, milk, op, *args)
        assert_lots_agree(milk)
    # Sales only ever took units in date.
    for sale in Sale.objects.filter(lines__product=milk):
        for row in milk.movements.filter(reason="sale", ref=str(sale.pk)):
            for move in row.lot_moves.select_related("lot"):
                assert move.lot.expires_on >= day(0)


def apply(manager, milk, op, *args):
    if op == "sell":
        sale_create(clerk=manager, lines=[(milk.sku, args[0])])
    elif op == "receive":
        units, offset = args
        stock_receive(
            supplier=None,
            quantities={milk.pk: units},
            expires_on={milk.pk: day(offset)},
            allow_past_expiry=True,
        )
    elif op == "return":
        qty, restock, pick = args
        sales = list(Sale.objects.filter(lines__product=milk).order_by("pk"))
        if sales:
            sale = sales[pick % len(sales)]
            sale_return(
                sale_id=sale.pk, user=manager, lines=[(milk.sku, qty)], restock=restock
            )
    elif op == "void":
        sales = list(Sale.objects.filter(lines__product=milk).order_by("pk"))
        if sales:
            sale_void(
                sale_id=sales[args[0] % len(sales)].pk, user=manager, reason="test"
            )
    elif op == "write_off":
        units, pick = args
        lots = list(milk.lots.filter(units_left__gt=0))
        if lots:
            lot = lots[pick % len(lots)]
            lot_write_off(lots={lot.pk: units}, reason="spoiled", user=manager)
    elif op == "count":
        stock_count(counts={milk.pk: args[0]}, note="count")
    else:
        csv = f"sku,name,price,stock,reorder_point\n{milk.sku},Milk,5.00,{args[0]},0\n"
        products_import(data=csv.encode())
    milk.refresh_from_db()
