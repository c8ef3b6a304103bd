"""API tokens: checked on every request, their permissions cached for a short
while (pitstop.tokens)."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pitstop import tokens
from pitstop.roles import CLERKS
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

SALE = {"lines": [{"sku": "DRK-001", "qty": 1}]}


@pytest.fixture
def device(clerk):
    ProductFactory(sku="DRK-001", price="5.50", stock=50)
    token = Token.objects.create(user=clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post("/api/sales/", SALE, format="json").status_code == 201
    return client, token


@pytest.fixture
def clock(monkeypatch):
    """time.monotonic as pitstop.tokens sees it, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: now[0])
    return now


def test_a_deleted_token_stops_working_at_once(device):
    client, token = device

    token.delete()

    assert client.post("/api/sales/", SALE, format="json").status_code == 401


def test_a_deactivated_user_stops_working_at_once(device, clerk):
    client, _token = device

    clerk.is_active = False
    clerk.save()

    assert client.post("/api/sales/", SALE, format="json").status_code == 401


def test_a_role_taken_away_stops_working_once_the_cached_grants_expire(clock, clerk):
    ProductFactory(sku="DRK-001", price="5.50", stock=50)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk)}")
    assert client.post("/api/sales/", SALE, format="json").status_code == 201

    clerk.groups.remove(Group.objects.get(name=CLERKS))
    clock[0] += tokens.GRANTS_TTL_SECONDS - 1
    still = client.post("/api/sales/", SALE, format="json").status_code
    clock[0] += 2
    after = client.post("/api/sales/", SALE, format="json").status_code

    assert (still, after) == (201, 403)


def test_a_role_given_works_once_the_cached_grants_expire(clock, roles):
    ProductFactory(sku="DRK-001", price="5.50", stock=50)
    user = UserFactory(username="new-clerk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    assert client.post("/api/sales/", SALE, format="json").status_code == 403

    user.groups.add(Group.objects.get(name=CLERKS))
    clock[0] += tokens.GRANTS_TTL_SECONDS + 1

    assert client.post("/api/sales/", SALE, format="json").status_code == 201
