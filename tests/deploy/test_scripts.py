"""The shell that builds, ships and provisions: syntax, shellcheck, and the
parts that can run here (the release archive, the app's environment file)."""

import os
import re
import stat
import subprocess
import tarfile

import pytest

from tests.deploy import cfn
from tests.deploy.conftest import require
from tests.deploy.provision import STACK_VALUES, is_blank, write_env

SCRIPTS = [
    "deploy/provision.sh",
    "deploy/build_release.sh",
    "deploy/deploy.sh",
    "deploy/bin/pitstop-manage",
]


def embedded_scripts(template) -> dict[str, str]:
    """The bash the template carries: the user data and cfn-init's pitstop-deploy."""
    evaluator = cfn.Evaluator(template)
    instance = template["Resources"]["Instance"]
    files = instance["Metadata"]["AWS::CloudFormation::Init"]["release"]["files"]
    return {
        "user-data": evaluator.value(instance["Properties"]["UserData"]),
        "pitstop-deploy": evaluator.value(files["/usr/local/sbin/pitstop-deploy"])[
            "content"
        ],
    }


def all_scripts(template, tmp_path) -> list:
    paths = [cfn.ROOT / name for name in SCRIPTS]
    for name, text in embedded_scripts(template).items():
        path = tmp_path / name
        path.write_text(text)
        paths.append(path)
    return paths


def test_scripts_are_executable():
    for name in SCRIPTS:
        assert os.access(cfn.ROOT / name, os.X_OK), name


def test_scripts_parse(template, tmp_path):
    for path in all_scripts(template, tmp_path):
        result = subprocess.run(["bash", "-n", path], capture_output=True, text=True)
        assert result.returncode == 0, f"{path.name}: {result.stderr}"


def test_scripts_pass_shellcheck(template, tmp_path):
    shellcheck = require("shellcheck", "Debian's shellcheck")
    paths = all_scripts(template, tmp_path)
    result = subprocess.run(
        [shellcheck, "--shell=bash", "--severity=style", *paths],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_user_data_signals_the_outcome_of_provisioning(template):
    user_data = embedded_scripts(template)["user-data"]

    assert user_data.startswith("#!/bin/bash\n")
    assert "cfn-init -v --stack pitstop --resource Instance" in user_data
    assert 'cfn-signal -e "$rc" --stack pitstop --resource Instance' in user_data


def test_provisioning_installs_the_same_uv_as_the_bootstrap():
    bootstrap = (cfn.ROOT / "scripts/bootstrap").read_text()
    provision = (cfn.DEPLOY / "provision.sh").read_text()

    (expected,) = re.findall(r"uv==([0-9.]+)", bootstrap)
    assert f"UV_VERSION={expected} " in provision


# ------------------------------------------------------------------------------
# The release archive
# ------------------------------------------------------------------------------
def git(*args, cwd):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_release_is_the_committed_tree_with_its_lock_and_provisioning(tmp_path):
    # A small repository of its own: the script archives HEAD, whatever the
    # state of this work tree.
    repo = tmp_path / "repo"
    (repo / "deploy" / "bin").mkdir(parents=True)
    for name in [*SCRIPTS, "uv.lock", "pyproject.toml", "manage.py"]:
        (repo / name).write_bytes((cfn.ROOT / name).read_bytes())
        (repo / name).chmod((cfn.ROOT / name).stat().st_mode)
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "release", cwd=repo)
    (repo / "manage.py").write_text("# not committed\n")

    result = subprocess.run(
        ["bash", "deploy/build_release.sh", "test-1"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout == "test-1\n"
    assert "uncommitted" in result.stderr
    with tarfile.open(repo / "dist/pitstop-test-1.tar.gz") as archive:
        members = {m.name: m for m in archive.getmembers()}
        assert {"uv.lock", "pyproject.toml", "deploy/provision.sh"} <= set(members)
        assert members["deploy/provision.sh"].mode & stat.S_IXUSR
        manage = archive.extractfile("manage.py").read()
        assert manage == (cfn.ROOT / "manage.py").read_bytes()


# ------------------------------------------------------------------------------
# The environment file the app runs with
# ------------------------------------------------------------------------------
def test_env_file_holds_the_production_settings(tmp_path):
    env = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    assert env == {
        "DJANGO_SECRET_KEY": env["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "PITSTOP_HTTPS": "1",
        "DATABASE_URL": "postgres://pitstop@/pitstop?host=/run/postgresql",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "PITSTOP_REPORTS_BUCKET": STACK_VALUES["REPORTS_BUCKET"],
        "PITSTOP_ALERTS": "aws",
        "PITSTOP_ALERT_TOPIC_ARN": STACK_VALUES["ALERT_TOPIC_ARN"],
        "PITSTOP_TIME_ZONE": "America/Sao_Paulo",
        "PITSTOP_LANGUAGE": "pt-br",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    assert len(env["DJANGO_SECRET_KEY"]) >= 50


def test_env_file_keeps_its_secret_key_and_follows_the_stack(tmp_path):
    first = write_env(tmp_path, 0)
    second = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    assert first["DJANGO_ALLOWED_HOSTS"] == "198.51.100.7"
    assert "PITSTOP_HTTPS" not in first
    assert second["DJANGO_ALLOWED_HOSTS"] == "shop.example.com"
    assert second["DJANGO_SECRET_KEY"] == first["DJANGO_SECRET_KEY"]


def test_stack_env_carries_what_provisioning_reads(template):
    files = template["Resources"]["Instance"]["Metadata"]["AWS::CloudFormation::Init"]
    content = cfn.Evaluator(template).value(
        files["release"]["files"]["/etc/pitstop/stack.env"]
    )["content"]
    written = {line.split("=", 1)[0] for line in content.splitlines() if "=" in line}
    provision = (cfn.DEPLOY / "provision.sh").read_text()
    deploy = embedded_scripts(template)["pitstop-deploy"]
    read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", provision + deploy))
    local = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", provision, re.MULTILINE))

    assert read - local - {"PATH", "BASH_SOURCE"} <= written
    assert {"REPORTS_BUCKET", "ALERT_TOPIC_ARN", "DATA_VOLUME_ID", "SITE_IP"} <= written


@pytest.mark.parametrize(
    "unit",
    ["pitstop-web.service", "pitstop-worker.service", "pitstop-beat.service"],
)
def test_app_units_run_as_the_app_with_its_environment(unit):
    text = (cfn.DEPLOY / "systemd" / unit).read_text()

    assert "User=pitstop\n" in text
    assert "EnvironmentFile=/etc/pitstop/env\n" in text
    assert "WorkingDirectory=/opt/pitstop/current\n" in text
    assert "Restart=on-failure\n" in text
    assert "Requires=postgresql.service redis6.service\n" in text
    assert "After=network.target postgresql.service redis6.service\n" in text


# ------------------------------------------------------------------------------
# The data volume is formatted only when it holds nothing at all
# ------------------------------------------------------------------------------
def test_a_new_volume_is_blank(tmp_path):
    require("blkid", "util-linux")
    volume = tmp_path / "volume"
    volume.write_bytes(bytes(4 * 1024 * 1024))

    assert is_blank(volume)


def test_a_volume_with_a_filesystem_is_not_blank(tmp_path):
    require("blkid", "util-linux")
    mkfs = require("mkfs.ext4", "e2fsprogs")
    volume = tmp_path / "volume"
    volume.write_bytes(bytes(4 * 1024 * 1024))
    subprocess.run([mkfs, "-q", "-F", volume], check=True)

    assert not is_blank(volume)


def test_a_volume_with_only_a_partition_table_is_not_blank(tmp_path):
    require("blkid", "util-linux")
    mbr = bytearray(4 * 1024 * 1024)
    # One Linux partition (type 0x83) from sector 2048, 4096 sectors long.
    first, size = (2048).to_bytes(4, "little"), (4096).to_bytes(4, "little")
    mbr[446:462] = bytes([0, 0, 0, 0, 0x83, 0, 0, 0]) + first + size
    mbr[510:512] = b"\x55\xaa"
    volume = tmp_path / "volume"
    volume.write_bytes(bytes(mbr))

    assert not is_blank(volume)
