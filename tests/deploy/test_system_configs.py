"""The systemd units and the nginx site, checked by the tools that will load
them (Debian's systemd and nginx here, Amazon Linux's on the instance)."""

import re
import subprocess

import pytest

from tests.deploy import cfn
from tests.deploy.conftest import require

SYSTEMD = cfn.DEPLOY / "systemd"
NGINX = cfn.DEPLOY / "nginx"
UNITS = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in {".service", ".timer"})
# Units the instance gets from its packages, stood in for by stubs here.
PACKAGED = ["postgresql.service", "redis6.service", "nginx.service"]


def stub_tree(tmp_path, text: str) -> str:
    """The unit with /opt/… and /usr/local/sbin/… pointed into tmp_path, where
    every program it runs exists as an executable stub (verify checks that
    they do)."""
    root = tmp_path / "root"
    for program in re.findall(r"(/opt/\S+|/usr/local/sbin/\S+)", text):
        if "bin/" in program:
            stub = root / program.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
    text = text.replace("/usr/local/sbin/", f"{root}/usr/local/sbin/")
    return text.replace("/opt/", f"{root}/opt/")


@pytest.mark.parametrize(
    "unit",
    # postgresql.service: a stub with the drop-in that moves its data.
    [*UNITS, "postgresql.service"],
)
def test_systemd_unit_verifies(unit, tmp_path):
    analyze = require("systemd-analyze", "from systemd")
    units = tmp_path / "units"
    units.mkdir()
    for name in PACKAGED:
        (units / name).write_text("[Service]\nExecStart=/bin/true\n")
    for path in SYSTEMD.glob("*.*"):
        if path.is_file():
            (units / path.name).write_text(stub_tree(tmp_path, path.read_text()))
    dropins = units / "postgresql.service.d"
    dropins.mkdir()
    (dropins / "pitstop.conf").write_text(
        (SYSTEMD / "postgresql.service.d" / "pitstop.conf").read_text()
    )

    result = subprocess.run(
        [analyze, "verify", "--man=no", str(units / unit)],
        env={"SYSTEMD_UNIT_PATH": f"{units}:", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


def test_postgresql_dropin_puts_the_data_on_the_mounted_volume():
    text = (SYSTEMD / "postgresql.service.d" / "pitstop.conf").read_text()
    provision = (cfn.DEPLOY / "provision.sh").read_text()

    assert "RequiresMountsFor=/data\n" in text
    assert "Environment=PGDATA=/data/postgresql/data\n" in text
    assert "DATA_MOUNT=/data\n" in provision
    assert "PGDATA=$DATA_MOUNT/postgresql/data\n" in provision
    assert "defaults,noatime,nofail" in provision


def self_signed(tmp_path, name: str):
    openssl = require("openssl", "Debian's openssl")
    live = tmp_path / "letsencrypt" / name
    live.mkdir(parents=True)
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-keyout",
            live / "privkey.pem",
            "-out",
            live / "fullchain.pem",
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path / "letsencrypt"


@pytest.mark.parametrize("site", ["pitstop.conf", "pitstop-https.conf"])
def test_nginx_accepts_the_site(site, tmp_path):
    nginx = require("nginx", "Debian's nginx-light")
    name = "shop.example.com"
    # As provision.sh installs it, with /etc paths moved under tmp_path.
    conf = (NGINX / site).read_text().replace("__SERVER_NAME__", name)
    conf = conf.replace("/etc/nginx/pitstop/", f"{tmp_path}/")
    if "ssl_certificate" in conf:
        conf = conf.replace("/etc/letsencrypt/live", str(self_signed(tmp_path, name)))
    (tmp_path / "locations.conf").write_text((NGINX / "locations.conf").read_text())
    (tmp_path / "site.conf").write_text(conf)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"{temp}\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )

    early_log = tmp_path / "error.log"  # before the config names its own
    result = subprocess.run(
        [nginx, "-t", "-p", tmp_path, "-e", early_log, "-c", tmp_path / "nginx.conf"],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_nginx_forwards_what_django_trusts():
    locations = (NGINX / "locations.conf").read_text()

    assert "proxy_set_header X-Forwarded-Proto $scheme;" in locations
    assert "proxy_set_header Host $host;" in locations
    assert "alias /opt/pitstop/current/var/static/;" in locations
    assert "client_max_body_size 10m;" in locations
    assert "proxy_pass http://pitstop_app;" in locations
    for site in ("pitstop.conf", "pitstop-https.conf"):
        assert "server 127.0.0.1:8001;" in (NGINX / site).read_text()


def test_the_database_is_dumped_every_6_hours_as_postgres():
    timer = (SYSTEMD / "pitstop-backup.timer").read_text()
    service = (SYSTEMD / "pitstop-backup.service").read_text()
    provision = (cfn.DEPLOY / "provision.sh").read_text()

    assert "OnCalendar=*-*-* 00,06,12,18:30:00 UTC\n" in timer
    assert "Persistent=true\n" in timer
    assert "User=postgres\n" in service
    assert "EnvironmentFile=/etc/pitstop/stack.env\n" in service
    assert "ExecStart=/usr/local/sbin/pitstop-backup\n" in service
    assert "systemctl enable --now pitstop-backup.timer" in provision
