"""Schemathesis, every check, over every operation the published schema lists
(today's and any added later: it reads the schema), against the test server.
It must find nothing: the schema tells the truth and the API keeps to it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import ProductFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).parent / "st"


@pytest.fixture
def token(transactional_db, roles):
    # A superuser may call every operation, whichever role each one asks for.
    user = UserFactory(username="fuzzer", is_staff=True, is_superuser=True)
    return Token.objects.create(user=user).key


def test_schemathesis_finds_nothing_with_every_check(live_server, token, tmp_path):
    ProductFactory(sku="DRK-001", stock=500, reorder_point=5)

    done = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--seed",
            "11",
            "--workers",
            "1",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,  # its cache (.schemathesis/) stays out of the tree
        env=os.environ | {"NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "POST /api/sales/" in done.stdout or "2 selected" in done.stdout
