import os
import shutil

import pytest

from tests.deploy import cfn

IN_CI = bool(os.environ.get("CI"))


def require(tool: str, why: str) -> str:
    """The tool's path; without it a developer's run skips, CI fails."""
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed ({why})"
    if IN_CI:
        pytest.fail(f"{message}: .ci/run must install it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def template() -> dict:
    try:
        return cfn.load()
    except ImportError:
        if IN_CI:
            pytest.fail("cfn-lint is not installed: it is a dev dependency")
        pytest.skip("cfn-lint is not installed (uv sync installs it)")


@pytest.fixture(scope="session")
def evaluated(template) -> cfn.Evaluator:
    """The template with its defaults and deploy.sh's required parameters."""
    return cfn.Evaluator(template)
