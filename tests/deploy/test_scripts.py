"""The shell that builds, ships and provisions: syntax, shellcheck, and the
parts that can run here (the release archive, the environment file, the checked
switch, deploy.sh against a stand-in AWS CLI, the database dump)."""

import json
import os
import re
import stat
import subprocess
import sys
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
    "deploy/bin/pitstop-backup",
    ".ci/checkov",
]


def embedded_scripts(template) -> dict[str, str]:
    """The bash the template carries: the user data and cfn-init's pitstop-deploy."""
    evaluator = cfn.Evaluator(template)
    launch = template["Resources"]["LaunchTemplate"]
    files = launch["Metadata"]["AWS::CloudFormation::Init"]["settings"]["files"]
    return {
        "user-data": evaluator.value(
            launch["Properties"]["LaunchTemplateData"]["UserData"]
        ),
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


def test_user_data_provisions_and_signals_the_group(template):
    user_data = embedded_scripts(template)["user-data"]
    init = template["Resources"]["LaunchTemplate"]["Metadata"][
        "AWS::CloudFormation::Init"
    ]

    assert user_data.startswith("#!/bin/bash\n")
    assert "cfn-init -v --stack pitstop --resource LaunchTemplate" in user_data
    assert "--configsets provision" in user_data
    assert 'cfn-signal -e "$rc" --stack pitstop \\\n' in user_data
    assert "--resource AutoScalingGroup" in user_data
    assert init["configSets"]["provision"] == ["settings", "release"]
    assert init["release"]["commands"]["provision"]["command"] == (
        "/usr/local/sbin/pitstop-deploy"
    )


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
    for name in [*SCRIPTS, "uv.lock", "pyproject.toml", "manage.py"]:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
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
def test_env_file_holds_the_production_settings_and_no_secret(tmp_path):
    env = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    assert env == {
        "DJANGO_SECRET_KEY_PARAMETER": STACK_VALUES["SECRET_KEY_PARAMETER"],
        "PITSTOP_PAYMENT_WEBHOOK_SECRET_PARAMETER": STACK_VALUES[
            "PAYMENT_WEBHOOK_SECRET_PARAMETER"
        ],
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


def test_env_file_carries_the_pix_key_quoted_for_systemd_and_bash(tmp_path):
    env = write_env(
        tmp_path,
        0,
        PIX_KEY="12345678000195",
        PIX_MERCHANT_NAME="Posto Estrada Sul",
        PIX_MERCHANT_CITY="Campinas",
    )

    assert env["PITSTOP_PIX_KEY"] == "12345678000195"
    assert env["PITSTOP_PIX_MERCHANT_NAME"] == "'Posto Estrada Sul'"
    assert env["PITSTOP_PIX_MERCHANT_CITY"] == "'Campinas'"
    script = 'set -a; . "$1"; echo "$PITSTOP_PIX_MERCHANT_NAME"'
    sourced = subprocess.run(
        ["bash", "-c", script, "-", str(tmp_path / "env")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert sourced.stdout == "Posto Estrada Sul\n"
    assert "PITSTOP_PIX_KEY" not in write_env(tmp_path, 0, PIX_KEY="")


def test_env_file_follows_the_stack(tmp_path):
    first = write_env(tmp_path, 0)
    second = write_env(tmp_path, 1, DOMAIN_NAME="shop.example.com")

    assert first["DJANGO_ALLOWED_HOSTS"] == "198.51.100.7"
    assert "PITSTOP_HTTPS" not in first
    assert second["DJANGO_ALLOWED_HOSTS"] == "shop.example.com"
    assert second["PITSTOP_HTTPS"] == "1"


def test_stack_env_carries_what_provisioning_reads(template):
    init = template["Resources"]["LaunchTemplate"]["Metadata"][
        "AWS::CloudFormation::Init"
    ]
    content = cfn.Evaluator(template).value(
        init["settings"]["files"]["/etc/pitstop/stack.env"]
    )["content"]
    written = {line.split("=", 1)[0] for line in content.splitlines() if "=" in line}
    provision = (cfn.DEPLOY / "provision.sh").read_text()
    backup = (cfn.DEPLOY / "bin/pitstop-backup").read_text()
    deploy = embedded_scripts(template)["pitstop-deploy"]
    read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", provision + backup + deploy))
    local = set(re.findall(r"^ *([A-Z][A-Z0-9_]+)=", provision, re.MULTILINE))
    # Set by provision.sh itself (the volume it attached) or tunable in tests.
    own = {"PATH", "BASH_SOURCE", "DATA_VOLUME_ID", "BACKUP_DIR", "PGDATABASE"}
    own |= {"SMOKE_PAUSE", "VOLUME_PAUSE"}

    assert read - local - own <= written
    assert {
        "REPORTS_BUCKET",
        "ALERT_TOPIC_ARN",
        "DATA_VOLUME_TAG",
        "EIP_ALLOCATION_ID",
        "SECRET_KEY_PARAMETER",
        "SITE_IP",
    } <= written


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


# ------------------------------------------------------------------------------
# Checked deploys: provision.sh switches only to a release that answers
# ------------------------------------------------------------------------------
FAKE_CURL = """#!/bin/sh
# Answers /healthz as the release named in $FAKE_RELEASE, on the ports listed
# in $FAKE_HEALTHY; anything else is refused, as curl -f would say.
for arg; do url=$arg; done
port=${url#http://127.0.0.1:}; port=${port%%/*}
echo "curl $port" >>"$FAKE_CALLS"
case " $FAKE_HEALTHY " in
*" $port "*) printf '{"status": "ok", "release": "%s"}' "$FAKE_RELEASE" ;;
*) exit 7 ;;
esac
"""
RECORDER = '#!/bin/sh\necho "$(basename "$0") $*" >>"$FAKE_CALLS"\n'


def switch(tmp_path, healthy: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """provision.sh's check_candidate then switch_release, for this checkout as
    the new release, with current at an older one; systemctl, systemd-run,
    journalctl and curl are stand-ins. Its result and the calls made."""
    bin_dir, releases = tmp_path / "bin", tmp_path / "releases"
    bin_dir.mkdir()
    (releases / "old").mkdir(parents=True)
    (tmp_path / "current").symlink_to(releases / "old")
    (bin_dir / "curl").write_text(FAKE_CURL)
    for name in ("systemctl", "systemd-run", "journalctl"):
        (bin_dir / name).write_text(RECORDER)
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    calls = tmp_path / "calls"
    script = f'source "{cfn.DEPLOY / "provision.sh"}"; check_candidate; switch_release'
    result = subprocess.run(
        ["bash", "-c", script],
        env={
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "APP_ROOT": str(tmp_path),
            "APP_ENV": str(tmp_path / "env"),
            "PYTHON": sys.executable,
            "SMOKE_PAUSE": "0",
            "SITE_IP": "198.51.100.7",
            "FAKE_RELEASE": cfn.ROOT.name,
            "FAKE_HEALTHY": healthy,
            "FAKE_CALLS": str(calls),
        },
        capture_output=True,
        text=True,
    )
    return result, calls.read_text().splitlines() if calls.exists() else []


def current(tmp_path):
    return (tmp_path / "current").resolve()


def test_a_release_that_answers_on_its_own_and_after_the_switch_goes_live(tmp_path):
    result, calls = switch(tmp_path, healthy="8001 8002")

    assert result.returncode == 0, result.stderr
    assert current(tmp_path) == cfn.ROOT
    assert calls[0].startswith("systemctl stop pitstop-candidate")
    assert calls[1].startswith("systemd-run --quiet --unit=pitstop-candidate")
    assert f"WorkingDirectory={cfn.ROOT}" in calls[1]
    assert "--bind 127.0.0.1:8002" in calls[1]
    assert "systemctl restart pitstop-web pitstop-worker pitstop-beat" in calls
    assert f"release {cfn.ROOT.name} is live" in result.stderr


def test_a_release_that_does_not_answer_on_its_own_is_never_switched_to(tmp_path):
    result, calls = switch(tmp_path, healthy="8001")

    assert result.returncode == 1
    assert current(tmp_path) == tmp_path / "releases" / "old"
    assert not [call for call in calls if "restart" in call]
    assert "nothing switched" in result.stderr


def test_a_release_that_fails_after_the_switch_puts_the_previous_one_back(tmp_path):
    result, calls = switch(tmp_path, healthy="8002")

    assert result.returncode == 1
    assert current(tmp_path) == tmp_path / "releases" / "old"
    restarts = [call for call in calls if call.startswith("systemctl restart")]
    assert len(restarts) == 2  # onto the new release, then back
    assert "back to old" in result.stderr
    assert "failed its smoke test" in result.stderr


# ------------------------------------------------------------------------------
# deploy.sh: committed code only, secrets to Parameter Store, provisioning by
# Run Command, and the stack back to the previous release when it fails
# ------------------------------------------------------------------------------
def deploy_checkout(tmp_path):
    """A committed checkout holding what deploy.sh builds and ships."""
    repo = tmp_path / "repo"
    for name in [
        *SCRIPTS,
        "deploy/pitstop.yaml",
        "scripts/build_lambda.py",
        "uv.lock",
        "pyproject.toml",
        "manage.py",
        *(
            str(p.relative_to(cfn.ROOT))
            for p in (cfn.ROOT / "lambda_alert").glob("*.py")
        ),
    ]:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes((cfn.ROOT / name).read_bytes())
        (repo / name).chmod((cfn.ROOT / name).stat().st_mode)
    (repo / ".gitignore").write_text("dist/\n")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "release", cwd=repo)
    return repo


def run_deploy(tmp_path, repo, *args, **fake):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    aws = bin_dir / "aws"
    aws.write_text(
        f"#!{sys.executable}\n" + (cfn.ROOT / "tests/deploy/fake_aws.py").read_text()
    )
    aws.chmod(0o755)
    log = tmp_path / "aws.log"
    result = subprocess.run(
        ["bash", "deploy/deploy.sh", "pitstop", "pitstop-artifacts", *args],
        cwd=repo,
        env={
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "PYTHON": sys.executable,
            "POLL_SECONDS": "0",
            "FAKE_AWS_LOG": str(log),
            **fake,
        },
        capture_output=True,
        text=True,
    )
    calls = (
        [json.loads(line) for line in log.read_text().splitlines()]
        if log.exists()
        else []
    )
    return result, calls


def stack_deploys(calls) -> list[list[str]]:
    """The --parameter-overrides of each `cloudformation deploy`."""
    return [
        c["args"][c["args"].index("--parameter-overrides") + 1 :]
        for c in calls
        if c["args"][:2] == ["cloudformation", "deploy"]
    ]


def test_deploy_provisions_through_run_command_and_waits_for_success(tmp_path):
    repo = deploy_checkout(tmp_path)
    version = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout.strip()

    result, calls = run_deploy(tmp_path, repo, "AlertEmail=owner@example.com")

    assert result.returncode == 0, result.stderr
    (overrides,) = stack_deploys(calls)
    assert f"ReleaseVersion={version}" in overrides
    assert "AlertEmail=owner@example.com" in overrides
    assert "ImageId=ami-0123456789abcdef0" in overrides
    (send,) = [c["args"] for c in calls if c["args"][:2] == ["ssm", "send-command"]]
    assert send[send.index("--instance-ids") + 1] == "i-0123456789abcdef0"
    assert send[send.index("--document-name") + 1] == "AWS-RunShellScript"
    commands = json.loads(send[send.index("--parameters") + 1])["commands"]
    assert "--resource LaunchTemplate --configsets settings" in commands[2]
    assert commands[-1] == "/usr/local/sbin/pitstop-deploy"
    waited = [c for c in calls if c["args"][:2] == ["ssm", "get-command-invocation"]]
    assert waited
    assert f"release {version} is live" in result.stderr


def test_a_failed_smoke_test_sends_the_stack_back_and_exits_non_zero(tmp_path):
    repo = deploy_checkout(tmp_path)

    result, calls = run_deploy(tmp_path, repo, FAKE_PROVISION="Failed")

    assert result.returncode == 1
    assert "failed its smoke test" in result.stderr  # the server's own words
    first, back = stack_deploys(calls)
    assert "ReleaseVersion=0ldrelease000" not in first
    assert back == [
        "ReleaseVersion=0ldrelease000",
        "LambdaKey=lambda/lambda_alert-0000000000000000.zip",
    ]


def test_deploy_refuses_uncommitted_changes_and_calls_nothing(tmp_path):
    repo = deploy_checkout(tmp_path)
    (repo / "lambda_alert" / "handler.py").write_text("# not committed\n")

    result, calls = run_deploy(tmp_path, repo)

    assert result.returncode == 1
    assert "uncommitted changes" in result.stderr
    assert calls == []
    assert not (repo / "dist").exists()


def test_secrets_go_to_parameter_store_and_never_to_a_command_line(tmp_path):
    repo = deploy_checkout(tmp_path)

    result, calls = run_deploy(
        tmp_path, repo, "WhatsAppToken=tok-123-secret", FAKE_NEW_STACK="1"
    )

    assert result.returncode == 0, result.stderr
    assert not [c for c in calls if "tok-123-secret" in json.dumps(c["args"])]
    puts = {
        c["args"][c["args"].index("--name") + 1]: c
        for c in calls
        if c["args"][:2] == ["ssm", "put-parameter"]
    }
    token = puts["/pitstop/pitstop/whatsapp-token"]
    assert token["file"] == "tok-123-secret"
    assert "SecureString" in token["args"]
    # A new stack: provisioned by its first boot, no Run Command.
    assert not [c for c in calls if c["args"][:2] == ["ssm", "send-command"]]
    (overrides,) = stack_deploys(calls)
    assert not [o for o in overrides if o.startswith("WhatsAppToken")]


def test_the_payment_webhook_secret_goes_to_parameter_store_only(tmp_path):
    repo = deploy_checkout(tmp_path)
    secret = "whsec-0123456789abcdef"

    result, calls = run_deploy(
        tmp_path, repo, f"PaymentWebhookSecret={secret}", FAKE_NEW_STACK="1"
    )

    assert result.returncode == 0, result.stderr
    assert not [c for c in calls if secret in json.dumps(c["args"])]
    puts = {
        c["args"][c["args"].index("--name") + 1]: c
        for c in calls
        if c["args"][:2] == ["ssm", "put-parameter"]
    }
    put = puts["/pitstop/pitstop/payment-webhook-secret"]
    assert put["file"] == secret
    assert "SecureString" in put["args"]
    (overrides,) = stack_deploys(calls)
    assert not [o for o in overrides if o.startswith("PaymentWebhookSecret")]


def test_a_short_payment_webhook_secret_is_refused_before_anything(tmp_path):
    repo = deploy_checkout(tmp_path)

    result, calls = run_deploy(tmp_path, repo, "PaymentWebhookSecret=short")

    assert result.returncode == 2
    assert "at least 16 characters" in result.stderr
    assert calls == []


# ------------------------------------------------------------------------------
# The database dump, with the real pg_dump against the test database
# ------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db
def test_backup_dumps_the_database_and_uploads_a_readable_archive(tmp_path):
    from django.db import connection

    require("pg_dump", "PostgreSQL's client")
    db = connection.settings_dict
    (tmp_path / "bin").mkdir()
    aws = tmp_path / "bin" / "aws"
    aws.write_text(
        f"#!{sys.executable}\n" + (cfn.ROOT / "tests/deploy/fake_aws.py").read_text()
    )
    aws.chmod(0o755)
    (tmp_path / "dumps").mkdir()

    result = subprocess.run(
        [cfn.DEPLOY / "bin" / "pitstop-backup"],
        env={
            "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
            "REPORTS_BUCKET": "pitstop-bucket",
            "AWS_REGION": "us-east-1",
            "BACKUP_DIR": str(tmp_path / "dumps"),
            "PGDATABASE": db["NAME"],
            "PGHOST": db["HOST"] or "127.0.0.1",
            "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": db["USER"],
            "PGPASSWORD": db["PASSWORD"] or "",
            "FAKE_AWS_LOG": str(tmp_path / "aws.log"),
            "FAKE_S3_DIR": str(tmp_path / "s3"),
        },
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    (uploaded,) = (tmp_path / "s3" / "backups").rglob("*.dump")
    assert re.fullmatch(r"pitstop-\d{4}-\d\d-\d\dT\d{6}Z\.dump", uploaded.name)
    key = str(uploaded.relative_to(tmp_path / "s3"))
    assert result.stdout.startswith(f"backup ok: s3://pitstop-bucket/{key} (")
    listing = subprocess.run(
        ["pg_restore", "--list", uploaded], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public inventory_product" in listing
    (call,) = [json.loads(line)["args"] for line in (tmp_path / "aws.log").open()]
    assert call[:2] == ["s3", "cp"] and "--sse" in call
    assert list((tmp_path / "dumps").iterdir()) == []  # nothing left behind


# ------------------------------------------------------------------------------
# A new server takes the data volume by its tag, once the old one lets it go
# ------------------------------------------------------------------------------
FAKE_IMDS = """#!/bin/sh
for arg; do url=$arg; done
case $url in
*/api/token) echo token ;;
*/instance-id) echo i-0new ;;
*/placement/availability-zone) echo us-east-1a ;;
*) exit 22 ;;
esac
"""


def attach(tmp_path, *answers: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "curl").write_text(FAKE_IMDS)
    (bin_dir / "aws").write_text(
        f"#!{sys.executable}\n" + (cfn.ROOT / "tests/deploy/fake_aws.py").read_text()
    )
    for path in bin_dir.iterdir():
        path.chmod(0o755)
    log = tmp_path / "aws.log"
    log.touch()
    script = f'source "{cfn.DEPLOY / "provision.sh"}"; attach_data_volume; '
    script += 'echo "volume $DATA_VOLUME_ID"'
    result = subprocess.run(
        ["bash", "-c", script],
        env={
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "AWS_REGION": "us-east-1",
            "DATA_VOLUME_TAG": "pitstop",
            "VOLUME_PAUSE": "0",
            "FAKE_AWS_LOG": str(log),
            "FAKE_VOLUMES": json.dumps(answers),
        },
        capture_output=True,
        text=True,
    )
    calls = [json.loads(line)["args"] for line in log.read_text().splitlines()]
    return result, calls


def test_the_data_volume_waits_for_the_old_server_then_attaches(tmp_path):
    result, calls = attach(
        tmp_path,
        "vol-0data\tin-use\ti-0old",
        "vol-0data\tin-use\ti-0old",
        "vol-0data\tavailable\tNone",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "volume vol-0data\n"
    describe = calls[0]
    assert "Name=tag:pitstop-data,Values=pitstop" in describe
    assert "Name=availability-zone,Values=us-east-1a" in describe
    assert [c[:2] for c in calls].count(["ec2", "describe-volumes"]) == 3
    (attach_call,) = [c for c in calls if c[:2] == ["ec2", "attach-volume"]]
    assert attach_call[attach_call.index("--volume-id") + 1] == "vol-0data"
    assert attach_call[attach_call.index("--instance-id") + 1] == "i-0new"
    assert attach_call[attach_call.index("--device") + 1] == "/dev/sdf"
    assert "waiting for it" in result.stderr


def test_a_volume_already_on_this_server_is_left_as_it_is(tmp_path):
    result, calls = attach(tmp_path, "vol-0data\tin-use\ti-0new")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "volume vol-0data\n"
    assert [c[:2] for c in calls] == [["ec2", "describe-volumes"]]


@pytest.mark.parametrize(
    "answer", ["", "vol-0a\tavailable\tNone\nvol-0b\tavailable\tNone"]
)
def test_no_volume_or_two_with_the_tag_attaches_nothing(tmp_path, answer):
    result, calls = attach(tmp_path, answer)

    assert result.returncode == 1
    assert "volume tagged pitstop-data=pitstop" in result.stderr
    assert not [c for c in calls if c[:2] == ["ec2", "attach-volume"]]
