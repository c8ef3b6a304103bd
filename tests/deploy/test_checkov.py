"""Checkov (pinned, from its own environment: .ci/checkov) finds nothing on the
template beyond the suppressions the template justifies inline."""

import json
import subprocess

import pytest

from tests.deploy import cfn
from tests.deploy.conftest import IN_CI

CHECKOV = cfn.ROOT / "var" / "checkov" / "bin" / "checkov"


def test_checkov_fails_no_check_on_the_template(template):
    if not CHECKOV.exists():
        message = "Checkov is not installed (.ci/checkov --version installs it)"
        if IN_CI:
            pytest.fail(f"{message}: .ci/run must install it")
        pytest.skip(message)
    inline = [
        skip["id"]
        for resource in template["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    result = subprocess.run(
        [
            *(CHECKOV, "--file", cfn.TEMPLATE, "--framework", "cloudformation"),
            *("--skip-download", "--output", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )

    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [
        f"{check['check_id']} {check['resource']}"
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 0
    assert sorted(s["check_id"] for s in report["results"]["skipped_checks"]) == sorted(
        inline
    )
