import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TWELVE_HOURS = datetime.timedelta(hours=12)


def logged_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_clerks_session_cookie_ends_when_the_browser_closes(client, clerk):
    logged_in(client, clerk)

    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_each_request_keeps_the_session_twelve_more_hours(client, clerk):
    session = logged_in(client, clerk)
    # Eleven idle hours later:
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + datetime.timedelta(hours=1)
    )

    assert client.get("/sales/new/").status_code == 200
    session.refresh_from_db()
    left = session.expire_date - timezone.now()
    assert TWELVE_HOURS - datetime.timedelta(minutes=1) < left <= TWELVE_HOURS


def test_after_twelve_idle_hours_the_clerk_must_log_in_again(client, clerk):
    session = logged_in(client, clerk)
    Session.objects.filter(pk=session.pk).update(
        expire_date=session.expire_date - TWELVE_HOURS
    )

    response = client.get("/sales/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_need_a_login(client, clerk, url):
    refused = client.get(url)
    assert refused.status_code == 401
    assert refused.json()["error"] == "not_authenticated"

    client.force_login(clerk)
    assert client.get(url).status_code == 200
