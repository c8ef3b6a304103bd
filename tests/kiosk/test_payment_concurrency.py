"""Confirmations of one kiosk sale at the same moment, on PostgreSQL with
real threads and connections (a payment service retrying its webhook while
the attendant types the PIN): the sale is marked paid once, by one of them,
and every other confirmation sees it paid."""

from decimal import Decimal

import pytest

from sales.exceptions import PaymentNotConfirmable
from sales.models import Sale
from sales.payments import sale_payment_confirm
from sales.services import sale_create
from tests.factories import ProductFactory
from tests.sales.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_confirmations_at_once_mark_the_sale_paid_once(kiosk):
    ProductFactory(sku="WAT-001", price=Decimal("3.00"), stock=10)
    sale, _ = sale_create(
        clerk=kiosk, lines=[("WAT-001", 1)], payment="pix", unattended=True
    )
    service = Sale.ConfirmedBy.SERVICE

    results = run_at_once(
        [lambda: sale_payment_confirm(sale_id=sale.pk, by=service, reference="E2E-1")]
        * 6
        + [lambda: sale_payment_confirm(sale_id=sale.pk, by=service, reference="E2E-2")]
        * 2
    )

    changed = [r for r in results if isinstance(r, tuple) and r[1]]
    replays = [r for r in results if isinstance(r, tuple) and not r[1]]
    refused = [r for r in results if isinstance(r, PaymentNotConfirmable)]
    assert len(changed) == 1, results
    assert len(changed) + len(replays) + len(refused) == 8, results
    sale.refresh_from_db()
    winner = sale.payment_reference
    # Those with the winner's reference were replays; the others, refused.
    assert len(refused) == (6 if winner == "E2E-2" else 2)
    assert {r.code for r in refused} == {"already_paid"}
    assert (sale.payment_status, sale.payment_confirmed_by) == ("paid", "service")
