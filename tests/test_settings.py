"""With no environment at all, the settings are the embedded default."""

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


def test_unset_environment_means_the_embedded_default():
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

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
        "debug": False,
    }


def test_an_unknown_store_language_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env | {"PITSTOP_LANGUAGE": "fr"},
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "PITSTOP_LANGUAGE must be 'pt-br' or 'en'." in result.stderr
