"""The bench's framework floor (bench/floor.py) is served only under the
bench's settings: the product's URLs never route to it."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.floor import FLOOR_URL

pytestmark = pytest.mark.django_db


def test_the_framework_floor_is_not_among_the_products_urls(clerk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")

    response = client.post(
        FLOOR_URL,
        {"lines": [{"sku": "X", "qty": 1}], "idempotency_key": "k"},
        format="json",
    )

    assert response.status_code == 404
