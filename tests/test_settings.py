"""With no environment but scripts/run's DJANGO_DEBUG=1, the settings are the
embedded default; without DEBUG they fail closed and write nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "PITSTOP_REPORTS_BUCKET",
    "PITSTOP_REPORTS_DIR",
    "PITSTOP_ALERTS",
    "PITSTOP_ALERT_TOPIC_ARN",
    "PITSTOP_TIME_ZONE",
    "PITSTOP_LANGUAGE",
    "PITSTOP_CURRENCY",
    "EMAIL_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
)

PRINT = """
import json
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "broker": settings.CELERY_BROKER_URL,
    "reports": settings.STORAGES["reports"]["BACKEND"],
    "reports_dir": str(settings.STORAGES["reports"]["OPTIONS"]["location"]),
    "email": settings.EMAIL_BACKEND,
    "outbox": str(settings.EMAIL_FILE_PATH),
    "alerts": settings.PITSTOP_ALERTS,
    "tz": settings.TIME_ZONE,
    "language": settings.LANGUAGE_CODE,
    "currency": settings.PITSTOP_CURRENCY,
    "debug": settings.DEBUG,
}))
"""


def run(*args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """manage.py with args, and only the given contract variables set."""
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env | {"PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=check,
    )


def test_unset_environment_with_scripts_runs_debug_means_the_embedded_default():
    out = run("shell", "--no-imports", "-c", PRINT, DJANGO_DEBUG="1").stdout

    found = json.loads(out.strip().splitlines()[-1])
    var = str(ROOT / "var")
    assert found == {
        "db": "django.db.backends.sqlite3",
        "db_name": f"{var}/pitstop.sqlite3",
        "broker": "filesystem://",
        "reports": "django.core.files.storage.FileSystemStorage",
        "reports_dir": f"{var}/reports",
        "email": "django.core.mail.backends.filebased.EmailBackend",
        "outbox": f"{var}/outbox",
        "alerts": "local",
        "tz": "America/Sao_Paulo",
        "language": "pt-br",
        "currency": "BRL",
        "debug": True,
    }


def test_an_unknown_store_language_refuses_to_start():
    result = run("check", check=False, DJANGO_DEBUG="1", PITSTOP_LANGUAGE="fr")

    assert result.returncode != 0
    assert "PITSTOP_LANGUAGE must be 'pt-br' or 'en'." in result.stderr


def test_without_debug_and_without_a_secret_key_the_app_refuses_to_start():
    done = run("check", check=False)

    assert done.returncode != 0
    assert "System check identified" not in done.stdout
    assert "ImproperlyConfigured: Set DJANGO_SECRET_KEY" in done.stderr


WRITES = """
import json, os, sys, tempfile
written = []
def audit(event, args):
    if event == "open" and (
        (args[1] and set(str(args[1])) & set("wax+"))
        or (isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR))
    ):
        written.append(str(args[0]))
    elif event in ("os.mkdir", "os.rename", "os.chmod"):
        written.append(f"{event} {args[0]}")
sys.addaudithook(audit)
import django
django.setup()
from pitstop.celery import app
print(json.dumps(written))
with tempfile.TemporaryFile("w"):  # control: the audit does see a write
    print(json.dumps(len(written)))
"""


def test_outside_debug_starting_the_app_writes_nothing_to_disk():
    done = subprocess.run(
        [sys.executable, "-c", WRITES],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in CONTRACT}
        | {
            "DJANGO_SETTINGS_MODULE": "pitstop.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    before, control = done.stdout.strip().splitlines()[-2:]
    assert json.loads(before) == []
    assert json.loads(control) > 0
