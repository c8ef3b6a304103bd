"""The deployment zip: only the function's modules, the same bytes each build,
and a handler that imports with nothing but the standard library and boto3."""

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What boto3 imports, as Lambda's Python runtime provides it.
BOTO3_AND_DEPENDENCIES = [
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
]
APPS = ["django", "pitstop", "inventory", "sales", "reports", "alerts", "moto"]


def builder():
    """scripts/build_lambda.py as a module (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "build_lambda", ROOT / "scripts" / "build_lambda.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return builder().build


def test_the_zip_holds_the_functions_modules_and_nothing_else(build, tmp_path):
    path = build(tmp_path / "lambda_alert.zip")

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert names == [
        "lambda_alert/__init__.py",
        "lambda_alert/csvsafe.py",
        "lambda_alert/decide.py",
        "lambda_alert/handler.py",
        "lambda_alert/l10n.py",
        "lambda_alert/parse.py",
        "lambda_alert/s3store.py",
        "lambda_alert/sendonce.py",
        "lambda_alert/text.py",
        "lambda_alert/whatsapp.py",
    ]


def test_the_zip_is_the_same_byte_for_byte_on_each_build(build, tmp_path):
    first = build(tmp_path / "one" / "lambda_alert.zip").read_bytes()
    second = build(tmp_path / "two" / "lambda_alert.zip").read_bytes()

    assert first == second
    with zipfile.ZipFile(tmp_path / "one" / "lambda_alert.zip") as archive:
        assert {info.date_time for info in archive.infolist()} == {
            (1980, 1, 1, 0, 0, 0)
        }


def test_main_prints_the_zips_path_and_size(tmp_path, capsys):
    output = tmp_path / "dist" / "lambda_alert.zip"

    assert builder().main(["--output", str(output)]) == 0

    assert capsys.readouterr().out == f"{output} {output.stat().st_size} bytes\n"


def test_the_handler_imports_with_only_boto3_and_never_django(build, tmp_path):
    zip_path = build(tmp_path / "lambda_alert.zip")
    libs = tmp_path / "runtime"
    libs.mkdir()
    for name in BOTO3_AND_DEPENDENCIES:
        origin = Path(importlib.util.find_spec(name).origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (libs / source.name).symlink_to(source)
    code = f"""
import importlib.util, json, sys
sys.path[:0] = [{str(zip_path)!r}, {str(libs)!r}]
import lambda_alert.handler as h
result = h.handler({{"Event": "s3:TestEvent", "Bucket": "pitstop-reports"}}, None)
print(json.dumps({{
    "file": h.__file__,
    "result": result,
    "imported": sorted({{m.split(".")[0] for m in sys.modules}}),
    "findable": [n for n in {APPS!r} if importlib.util.find_spec(n)],
}}))
"""
    # -I: no environment, user site or cwd; -S: not even site-packages.
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"AWS_DEFAULT_REGION": "us-east-1"},
    )

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["file"] == str(zip_path / "lambda_alert" / "handler.py")
    assert report["result"] == {
        "processed": 0,
        "duplicates": 0,
        "malformed": 0,
        "skipped": 0,
    }
    assert "boto3" in report["imported"]
    assert not set(APPS) & set(report["imported"])
    assert report["findable"] == []  # nothing of the project's could have come in


def test_the_app_imports_the_functions_pure_parts_never_its_entry_module():
    """Django runs local mode with decide, sendonce and the adapters; the
    Lambda's handler (its environment, its clients) stays the Lambda's."""
    code = """
import sys, django
django.setup()
from django.urls import resolve
import alerts.admin, alerts.services, alerts.tasks, inventory.tasks, reports.tasks
resolve("/admin/")
print(sorted(m for m in sys.modules if m.startswith("lambda_alert")))
"""
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert run.returncode == 0, run.stderr
    imported = json.loads(run.stdout.replace("'", '"'))
    assert "lambda_alert.sendonce" in imported
    assert "lambda_alert.handler" not in imported
