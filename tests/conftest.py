import os

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation
from moto import mock_aws

from pitstop.celery import app as celery_app
from pitstop.roles import CLERKS, KIOSKS, MANAGERS, PERMISSIONS, grant
from pitstop.storage import local_reports
from pitstop.tokens import grants_forget
from tests.factories import UserFactory

AWS_REGION = "us-east-1"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
REQUIRE_POSTGRES = os.environ.get("PITSTOP_REQUIRE_POSTGRES") == "1"


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are skipped on SQLite, and CI forbids that."""
    if ON_POSTGRES:
        return
    if REQUIRE_POSTGRES and any("postgres" in item.keywords for item in items):
        raise pytest.UsageError(
            "PITSTOP_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL: "
            "the PostgreSQL-only tests would be skipped."
        )
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if "needs PostgreSQL" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.section("PostgreSQL-only tests skipped on SQLite")
        for nodeid in skipped:
            terminalreporter.write_line(nodeid)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are what some tests repeat (throttling): a hash that costs
    nothing keeps them fast. Passwords' strength is Django's business."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def token_grants_forgotten():
    """Each test starts with no API token's permissions cached (pitstop.tokens)."""
    grants_forget()


@pytest.fixture(autouse=True)
def tasks_run_in_process():
    """Tasks queued with delay_on_commit run in the test's process on commit;
    the test that starts a real worker turns this off."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def reports_storage(settings, tmp_path):
    """Reports, events and orders go to a fresh folder for each test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": local_reports(tmp_path / "reports"),
    }
    return tmp_path / "reports"


@pytest.fixture
def aws_mock(monkeypatch):
    """moto in place of AWS: fake credentials, one region, no endpoint or
    profile from the machine's environment."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", AWS_REGION)
    monkeypatch.setenv("AWS_REGION", AWS_REGION)
    with mock_aws():
        yield


@pytest.fixture
def roles(db):
    """The Managers and Clerks groups, as the data migrations make them (a
    transactional test's flush removes them, so they are made again here)."""
    if not Group.objects.filter(name=MANAGERS).exists():
        for app_label in {label for perms in PERMISSIONS.values() for label in perms}:
            grant(apps, app_label)


@pytest.fixture
def manager(roles):
    user = UserFactory(username="manager", is_staff=True)
    user.groups.add(Group.objects.get(name=MANAGERS))
    return user


@pytest.fixture
def clerk(roles):
    user = UserFactory(username="clerk")
    user.groups.add(Group.objects.get(name=CLERKS))
    return user


@pytest.fixture
def kiosk(roles):
    """A self-checkout device, enrolled as a manager does: a user in Kiosks."""
    user = UserFactory(username="kiosk")
    user.groups.add(Group.objects.get(name=KIOSKS))
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def in_english(settings):
    """For tests that read our English texts: the store's language (commands,
    tasks, the PDF, alerts) and any request without Accept-Language become
    English. The Portuguese default is what tests/test_language.py reads."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
