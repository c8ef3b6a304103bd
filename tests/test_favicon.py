"""Every page carries the store's icon from our static files (no CDN, and no
404 for /favicon.ico in the server's log): the admin, the clerk's pages and
the login page. (The kiosk, a PWA, has its own icon in its offline shell.)"""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

ICONS = {
    "icon": "/static/pitstop/favicon.svg",
    "apple-touch-icon": "/static/pitstop/apple-touch-icon.png",
}


def icons_of(page: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for rel, href in re.findall(r'<link rel="([^"]+)" href="([^"]+)"', page):
        found.setdefault(rel, set()).add(href)
    return found


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/accounts/login/"),
        (None, "/admin/login/"),
        ("manager", "/admin/"),
        ("manager", "/admin/sales/sale/"),
        ("clerk", "/sales/new/"),
    ],
)
def test_each_page_links_the_stores_icon(client, request, who, url):
    if who:
        client.force_login(request.getfixturevalue(who))

    response = client.get(url)

    assert response.status_code == 200, url
    icons = icons_of(response.content.decode())
    for rel, href in ICONS.items():
        assert href in icons.get(rel, set()), (url, rel)
    assert "/static/pitstop/favicon.ico" in icons["icon"], url


def test_the_icons_are_our_static_files():
    for name in ("favicon.svg", "favicon.ico", "apple-touch-icon.png"):
        found = finders.find(f"pitstop/{name}")
        assert found, name
        with open(found, "rb") as f:
            head = f.read(8)
        assert head[:4] in (b"<svg", b"\x00\x00\x01\x00", b"\x89PNG"), name
