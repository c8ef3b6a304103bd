"""/healthz: which release is live and whether its database answers, for
deploy/provision.sh's smoke test and the stack's outside health check."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_names_the_live_release_without_a_login(client, settings):
    settings.PITSTOP_RELEASE = "3f2a9c0d1e4b"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "release": "3f2a9c0d1e4b"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client, settings):
    settings.PITSTOP_RELEASE = "3f2a9c0d1e4b"

    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "release": "3f2a9c0d1e4b"}


def test_a_checkout_without_a_release_file_says_development(settings):
    from pitstop import settings as project

    assert not (project.BASE_DIR / "RELEASE").exists()
    assert project.PITSTOP_RELEASE == "development"
