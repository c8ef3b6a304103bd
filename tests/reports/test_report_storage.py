"""Reports in S3 (moto): keys, privacy, content types, the manifest last,
presigned downloads; and what a storage failure leaves behind."""

import json
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests
from django.core.files.storage import storages

from pitstop.storage import s3_reports
from reports.models import Report
from reports.periods import day_period
from reports.services import report_build

pytestmark = pytest.mark.django_db

BUCKET = "pitstop-reports-test"
PREFIX = "reports/daily/2026-11-20/"


@pytest.fixture
def s3(settings, aws_mock):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "reports": s3_reports(BUCKET)}
    return client


@pytest.fixture
def saved_keys(monkeypatch):
    """The order in which the storage received files."""
    keys: list[str] = []
    storage = storages["reports"]
    save = storage.save

    def recording_save(name, content, **kwargs):
        keys.append(name)
        return save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", recording_save)
    return keys


def test_the_five_files_land_in_the_bucket_private_and_typed(s3, store_day, saved_keys):
    report_build(period=day_period(store_day))

    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)["Contents"]
    names = ["report.pdf", "restock.csv", "sales.csv", "summary.json", "waste.csv"]
    assert sorted(o["Key"] for o in listed) == [PREFIX + name for name in names]
    types = {}
    for name in ("sales.csv", "restock.csv", "waste.csv", "report.pdf", "summary.json"):
        head = s3.head_object(Bucket=BUCKET, Key=PREFIX + name)
        types[name] = head["ContentType"]
        assert head["ServerSideEncryption"] == "AES256"
        grants = s3.get_object_acl(Bucket=BUCKET, Key=PREFIX + name)["Grants"]
        assert [g["Grantee"]["Type"] for g in grants] == ["CanonicalUser"]
    assert types == {
        "sales.csv": "text/csv",
        "restock.csv": "text/csv",
        "waste.csv": "text/csv",
        "report.pdf": "application/pdf",
        "summary.json": "application/json",
    }
    assert saved_keys[-1] == PREFIX + "summary.json"
    assert len(saved_keys) == 5


def test_the_presigned_url_downloads_the_file_and_expires_within_an_hour(s3, store_day):
    report = report_build(period=day_period(store_day))

    url = storages["reports"].url(report.files["sales.csv"])

    assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == ["3600"]
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content.startswith(b"sku,name,qty,revenue")


def test_running_again_leaves_the_same_keys_and_one_report(s3, store_day):
    report_build(period=day_period(store_day))
    report_build(period=day_period(store_day))

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 5
    assert Report.objects.count() == 1


def test_a_storage_failure_leaves_a_failed_row_and_no_manifest_and_a_retry_completes(
    s3, store_day, monkeypatch
):
    storage = storages["reports"]
    save = storage.save

    def failing_on_the_pdf(name, content, **kwargs):
        if name.endswith("report.pdf"):
            raise OSError("connection reset by peer")
        return save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", failing_on_the_pdf)
    with pytest.raises(OSError):
        report_build(period=day_period(store_day))

    report = Report.objects.get()
    assert report.status == "failed"
    assert "connection reset by peer" in report.error
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert PREFIX + "summary.json" not in keys

    monkeypatch.setattr(storage, "save", save)
    report = report_build(period=day_period(store_day))

    assert (report.status, report.error, report.attempts) == ("done", "", 2)
    body = s3.get_object(Bucket=BUCKET, Key=PREFIX + "summary.json")["Body"].read()
    assert json.loads(body)["totals"]["sales"] == 3


def test_a_failed_rerun_removes_the_old_manifest_so_nobody_reads_a_half_report(
    s3, store_day, monkeypatch
):
    report_build(period=day_period(store_day))

    def unreachable(name, content, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(storages["reports"], "save", unreachable)

    with pytest.raises(OSError):
        report_build(period=day_period(store_day))

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert PREFIX + "summary.json" not in keys
