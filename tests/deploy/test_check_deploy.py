"""Django's deployment checklist (manage.py check --deploy) with the production
environment: nothing to report, not even a warning."""

import os
import secrets
import subprocess
import sys

from tests.deploy import cfn
from tests.deploy.provision import write_env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the instance's processes get: none of this run's own settings.
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PITSTOP_", "DATABASE_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=cfn.ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_https():
    result = check_deploy(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "shop.example.com",
            "PITSTOP_HTTPS": "1",
        }
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_is_clean_with_the_env_provisioning_writes(tmp_path):
    env = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    result = check_deploy(env)

    assert result.returncode == 0, result.stdout + result.stderr
