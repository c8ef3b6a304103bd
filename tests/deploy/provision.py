"""Calling single functions of deploy/provision.sh (it only runs main() when
executed, not when sourced) against files under a test's tmp_path."""

import os
import stat
import subprocess
import sys

from tests.deploy import cfn

# What cfn-init puts in /etc/pitstop/stack.env, for a stack without a domain.
STACK_VALUES = {
    "REPORTS_BUCKET": "pitstop-123456789012-us-east-1-c0ffee12",
    "ALERT_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:pitstop-AlertTopic-X",
    "AWS_REGION": "us-east-1",
    "TIME_ZONE": "America/Sao_Paulo",
    "STORE_LANGUAGE": "pt-br",
    "SITE_IP": "198.51.100.7",
    "DOMAIN_NAME": "",
    "SECRET_KEY_PARAMETER": "/pitstop/pitstop/django-secret-key",
    "PAYMENT_WEBHOOK_SECRET_PARAMETER": "/pitstop/pitstop/payment-webhook-secret",
}


def call(function: str, *args: str, env: dict[str, str] | None = None):
    """Source provision.sh in bash and call one of its functions."""
    script = f'source "{cfn.DEPLOY / "provision.sh"}"; "$@"'
    return subprocess.run(
        ["bash", "-c", script, "-", function, *map(str, args)],
        env={"PATH": os.environ["PATH"], **(env or {})},
        capture_output=True,
        text=True,
    )


def write_env(tmp_path, https: int, **values: str) -> dict[str, str]:
    """provision.sh's write_env on tmp_path/env; the file's variables."""
    env_file = tmp_path / "env"
    result = call(
        "write_env",
        https,
        env={
            **STACK_VALUES,
            **values,
            "APP_ENV": str(env_file),
            "PYTHON": sys.executable,
        },
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if not line.startswith("#"))


def is_blank(path) -> bool:
    """provision.sh's verdict: may this device (or image file) be formatted?"""
    result = call("is_blank", path)
    assert result.returncode in {0, 1}, result.stderr
    return result.returncode == 0
