"""A kiosk, online, reports how many sales it still holds (queued while its
server was out of reach); managers see every kiosk's last report in the admin."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from kiosk.models import Kiosk

pytestmark = pytest.mark.django_db
URL = "/kiosk/heartbeat/"


def beat(client, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json")


@pytest.fixture
def device(kiosk):
    client = Client()
    client.force_login(kiosk)
    return client


def test_a_kiosk_with_sales_queued_is_recorded_with_them_and_not_in_sync(device):
    oldest = "2026-11-29T12:00:05.123Z"

    answer = beat(device, {"queued": 3, "oldest": oldest})

    assert answer.status_code == 204
    kiosk = Kiosk.objects.get(user__username="kiosk")
    assert (kiosk.queued, kiosk.last_sync_at) == (3, None)
    assert kiosk.oldest_queued_at == datetime.datetime(
        2026, 11, 29, 12, 0, 5, 123000, tzinfo=datetime.UTC
    )
    assert timezone.now() - kiosk.last_seen_at < datetime.timedelta(seconds=5)


def test_a_kiosk_with_nothing_queued_is_in_sync_now(device):
    beat(device, {"queued": 2, "oldest": "2026-11-29T12:00:00+00:00"})

    answer = beat(device, {"queued": 0, "oldest": None})

    assert answer.status_code == 204
    kiosk = Kiosk.objects.get()
    assert (kiosk.queued, kiosk.oldest_queued_at) == (0, None)
    assert kiosk.last_sync_at == kiosk.last_seen_at


def test_a_later_report_with_sales_queued_keeps_the_last_sync(device):
    beat(device, {"queued": 0})
    synced = Kiosk.objects.get().last_sync_at

    beat(device, {"queued": 1, "oldest": "2026-11-29T12:00:00-03:00"})

    kiosk = Kiosk.objects.get()
    assert kiosk.last_sync_at == synced
    assert kiosk.last_seen_at > synced


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        [],
        {},
        {"queued": "3", "oldest": "2026-11-29T12:00:00Z"},
        {"queued": True},
        {"queued": -1},
        {"queued": 100_001, "oldest": "2026-11-29T12:00:00Z"},
        {"queued": 2},
        {"queued": 2, "oldest": "yesterday"},
        {"queued": 2, "oldest": "2026-11-29T12:00:00"},
        {"queued": 2, "oldest": "2026-13-29T12:00:00Z"},
        {"queued": 0, "oldest": "2026-11-29T12:00:00Z"},
    ],
)
def test_a_report_that_does_not_add_up_is_a_400_and_changes_nothing(device, body):
    beat(device, {"queued": 4, "oldest": "2026-11-29T12:00:00Z"})

    answer = beat(device, body)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"
    assert answer.json()["message"]
    assert Kiosk.objects.get().queued == 4


def test_only_a_kiosk_device_reports(client, clerk):
    client.force_login(clerk)

    answer = beat(client, {"queued": 0})

    assert answer.status_code == 302
    assert not Kiosk.objects.exists()


def test_managers_see_each_kiosk_s_last_report_in_the_admin(
    device, manager_client, in_english
):
    beat(device, {"queued": 7, "oldest": "2026-11-29T12:00:00Z"})

    page = manager_client.get("/admin/kiosk/kiosk/")

    assert page.status_code == 200
    row = page.content.decode()
    assert ">kiosk<" in row
    cells = dict(re.findall(r'<td class="field-(\w+)[^"]*">(.*?)</td>', row))
    assert cells["queued"] == "7"
    assert cells["last_sync_at"] == "-"
    # In the store's time zone (America/Sao_Paulo).
    assert cells["oldest_queued_at"] == "2026-11-29 09:00"
    assert 'alt="True"' in cells["reachable"]
    waiting = manager_client.get("/admin/kiosk/kiosk/?queued=yes")
    assert ">7<" in waiting.content.decode()
    none = manager_client.get("/admin/kiosk/kiosk/?queued=no")
    assert ">7<" not in none.content.decode()


def test_clerks_do_not_see_the_kiosks(clerk_client):
    assert clerk_client.get("/admin/kiosk/kiosk/").status_code == 302
