"""The kiosk page is a PWA: a web app manifest, and a service worker whose
scope covers /kiosk/ and whose cache changes with the app shell's files."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def worker_setup(client) -> str:
    return client.get("/kiosk/sw.js").content.decode().splitlines()[0]


def test_the_page_links_its_manifest_and_loads_the_offline_script(client, kiosk):
    client.force_login(kiosk)

    page = client.get("/kiosk/").content.decode()

    assert '<link rel="manifest" href="/kiosk/manifest.webmanifest">' in page
    assert '<script src="/static/kiosk/offline.js">' in page
    assert 'id="kiosk-offline-config"' in page


def test_the_offline_limits_come_from_the_settings(client, kiosk, settings):
    settings.PITSTOP_KIOSK_OFFLINE_MAX_SALES = 7
    settings.PITSTOP_KIOSK_OFFLINE_MAX_MINUTES = 45
    client.force_login(kiosk)

    page = client.get("/kiosk/").content.decode()

    assert '"max_sales": 7' in page
    assert '"max_minutes": 45' in page


def test_the_manifest_needs_no_login_and_starts_at_the_kiosk(client):
    answer = client.get("/kiosk/manifest.webmanifest")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert (manifest["start_url"], manifest["scope"]) == ("/kiosk/", "/kiosk/")
    assert manifest["display"] == "fullscreen"
    assert manifest["name"] == "Pit Stop autoatendimento"
    icon = manifest["icons"][0]["src"]
    assert icon.startswith("/static/") and finders.find(icon.removeprefix("/static/"))


def test_the_worker_is_served_under_the_kiosk_s_path_as_fresh_javascript(client):
    answer = client.get("/kiosk/sw.js")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in answer["Cache-Control"]
    assert "max-age=0" in answer["Cache-Control"]
    body = answer.content.decode()
    assert 'addEventListener("fetch"' in body
    for path in ("/static/kiosk/kiosk.js", "/static/kiosk/offline.js"):
        assert f'"{path}"' in worker_setup(client)
    assert '"/static/kiosk/sw.js"' not in worker_setup(client)
    assert '"catalogue": "/kiosk/catalogue/"' in worker_setup(client)


def test_a_new_shell_file_gives_the_worker_a_new_cache(client, settings, tmp_path):
    before = re.search(r'"version": "(\w+)"', worker_setup(client))[1]
    (tmp_path / "kiosk").mkdir()
    (tmp_path / "kiosk" / "extra.js").write_text("// a release's new file\n")
    settings.STATICFILES_DIRS = [tmp_path]

    after = worker_setup(client)

    assert '"/static/kiosk/extra.js"' in after
    assert re.search(r'"version": "(\w+)"', after)[1] != before
