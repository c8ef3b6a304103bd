"""Logins are throttled by username (DESIGN.md): after 10 failures within 15
minutes, that username is refused for 15 minutes, even with the right
password; a manager can lift the lock in the admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def login(client, page: str, username: str, password: str):
    return client.post(page, {"username": username, "password": password})


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def fail(client, username: str, times: int, page: str = LOGIN_PAGES[0]) -> None:
    for _ in range(times):
        login(client, page, username, "wrong-password")
        assert not logged_in(client)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_ten_failures_lock_the_username_even_with_the_right_password(
    client, manager, page
):
    fail(client, "manager", 10, page)

    response = login(client, page, "manager", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)


def test_the_two_login_pages_share_the_count(client, manager):
    fail(client, "manager", 5, "/accounts/login/")
    fail(client, "manager", 5, "/admin/login/")

    assert login(client, "/accounts/login/", "manager", PASSWORD).status_code == 429


def test_nine_failures_still_let_the_right_password_in(client, clerk):
    fail(client, "clerk", 9)

    assert login(client, "/accounts/login/", "clerk", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_lock_holds_only_that_username(client, clerk, manager):
    fail(client, "clerk", 10)

    assert login(client, "/admin/login/", "manager", PASSWORD).status_code == 302


def test_the_lock_ends_after_15_minutes(client, clerk):
    fail(client, "clerk", 10)
    assert login(client, "/accounts/login/", "clerk", PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC)
        - datetime.timedelta(minutes=15, seconds=1)
    )

    assert login(client, "/accounts/login/", "clerk", PASSWORD).status_code == 302


def test_a_manager_unlocks_a_username_in_the_admin(client, clerk, manager):
    fail(client, "clerk", 10)
    attempt = AccessAttempt.objects.get(username="clerk")
    client.force_login(manager)

    listed = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listed.status_code == 200
    assert b"clerk" in listed.content
    page = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(page, {"post": "yes"}).status_code == 302
    client.logout()

    assert login(client, "/accounts/login/", "clerk", PASSWORD).status_code == 302
