"""Django's deployment checklist (manage.py check --deploy) with the production
environment: nothing to report, not even a warning. As deployed, the secret key
comes from Parameter Store (moto's server stands in for it)."""

import os
import secrets
import subprocess
import sys
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.deploy import cfn
from tests.deploy.provision import STACK_VALUES, write_env


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


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PITSTOP_", "DATABASE_", "CELERY_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cfn.ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_check_deploy_is_clean_behind_https():
    result = check_deploy(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "shop.example.com",
            "PITSTOP_HTTPS": "1",
        }
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def parameter_store():
    """moto as a server on 127.0.0.1, and the variables that point boto3 at it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    # Its backends are this process's: nothing from another test.
    urllib.request.urlopen(
        urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
    ).close()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "NO_PROXY": "127.0.0.1",
    }
    yield env
    server.stop()


def test_check_deploy_is_clean_with_the_env_provisioning_writes(
    tmp_path, parameter_store
):
    boto3.client(
        "ssm",
        region_name=STACK_VALUES["AWS_REGION"],
        endpoint_url=parameter_store["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).put_parameter(
        Name=STACK_VALUES["SECRET_KEY_PARAMETER"],
        Value=secrets.token_urlsafe(50),
        Type="SecureString",
    )
    env = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    result = check_deploy({**env, **parameter_store})

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_refuses_to_start_without_its_secret_key_parameter(
    tmp_path, parameter_store
):
    env = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    result = check_deploy({**env, **parameter_store})

    assert result.returncode != 0
    assert f"Cannot read the secret key {STACK_VALUES['SECRET_KEY_PARAMETER']}" in (
        result.stderr
    )


def test_the_app_reads_the_payment_webhook_secret_from_parameter_store(
    tmp_path, parameter_store
):
    ssm = boto3.client(
        "ssm",
        region_name=STACK_VALUES["AWS_REGION"],
        endpoint_url=parameter_store["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ssm.put_parameter(
        Name=STACK_VALUES["SECRET_KEY_PARAMETER"],
        Value=secrets.token_urlsafe(50),
        Type="SecureString",
    )
    env = {**write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com"), **parameter_store}
    show = ["shell", "--no-imports", "-c"]
    show.append(
        "from django.conf import settings; "
        "print(settings.PITSTOP_PAYMENT_WEBHOOK_SECRET or '-')"
    )

    # Never created (deploy.sh was given no secret): the webhook is off.
    assert manage(env, *show).stdout == "-\n"

    ssm.put_parameter(
        Name=STACK_VALUES["PAYMENT_WEBHOOK_SECRET_PARAMETER"],
        Value="whsec-0123456789abcdef",
        Type="SecureString",
    )
    assert manage(env, *show).stdout == "whsec-0123456789abcdef\n"
