"""What a kiosk sale costs in round trips to PostgreSQL, pinned: the bench
(docs/performance.md) measures the rest. A transactional test, so the sale's
atomic block is a real transaction (BEGIN and COMMIT, not savepoints), as in
production: the count is the production's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kiosk(clerk):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}"
    )
    return client


def test_a_kiosk_sale_of_three_lines_takes_six_statements_in_one_transaction(kiosk):
    for n in range(3):
        ProductFactory(sku=f"SKU-{n}", price="2.50", stock=50)
    body = {"lines": [{"sku": f"SKU-{n}", "qty": 2} for n in range(3)]}
    # The token's first request also caches its permissions and groups.
    kiosk.post("/api/sales/", body | {"idempotency_key": "first"}, format="json")

    with CaptureQueriesContext(connection) as queries:
        response = kiosk.post(
            "/api/sales/", body | {"idempotency_key": "k-1"}, format="json"
        )

    assert response.status_code == 201, response.json()
    assert len(response.json()["lines"]) == 3
    sql = [q["sql"] for q in queries.captured_queries]
    statements = [s for s in sql if s not in ("BEGIN", "COMMIT")]
    # The token and its user; the products locked; the sale; its lines; the
    # stock, one UPDATE … FROM (VALUES …) RETURNING; the ledger. Then the
    # transaction's BEGIN and COMMIT: eight round trips.
    assert len(statements) == 6, "\n".join(sql)
    assert len(sql) == 8, "\n".join(sql)
