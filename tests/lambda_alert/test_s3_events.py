"""The handler on real S3 event shapes: moto's bucket notifies a queue, the test
hands the queue's messages to the handler and looks at what SNS and S3 got."""

import csv
import datetime
import io
import json
import logging
from urllib.parse import unquote_plus

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lambda_alert import handler
from tests.lambda_alert.conftest import (
    BUCKET,
    DAILY_KEY,
    EVENT_KEY,
    sample,
    sample_bytes,
)

NOTHING = {"processed": 0, "duplicates": 0, "malformed": 0, "skipped": 0}
ONE_ALERT = NOTHING | {"processed": 1}


def record_keys(event: dict) -> list[str]:
    return [unquote_plus(r["s3"]["object"]["key"]) for r in event["Records"]]


def test_a_manifest_and_an_event_alert_through_sns_in_the_stores_portuguese(store):
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    events = store.s3_events()
    assert [record_keys(event) for event in events] == [[DAILY_KEY], [EVENT_KEY]]

    assert [handler.handler(event, None) for event in events] == [ONE_ALERT] * 2

    digest, immediate = store.published()
    assert digest.subject == (
        "Pit Stop relatório diário 27/11/2026: R$ 2.201,30, 4 produtos a repor"
    )
    assert digest.attributes == {"kind": "digest", "store": "Pit Stop"}
    assert digest.message["default"] == digest.message["email"]
    assert "  Faturamento   R$ 2.201,30\n" in digest.message["email"]
    assert "  BBQ-002  Charcoal 3kg" in digest.message["email"]
    assert digest.message["sms"] == (
        "Pit Stop 27/11/2026: R$ 2.201,30, 4 com estoque baixo: SNK-010 Pao de "
        "queijo (6 un.) 0/5; BBQ-002 Charcoal 3kg 1/4; ICE-001 Ice bag 5kg 2/8"
    )
    assert immediate.subject == (
        "Pit Stop: Coca-Cola 350ml can está acabando (3 em estoque)"
    )
    assert immediate.attributes == {"kind": "immediate", "store": "Pit Stop"}
    assert immediate.message["sms"] == (
        "Pit Stop: 1 com estoque baixo: DRK-001 Coca-Cola 350ml can 3/12, "
        "pedir 69: Distribuidora Bebidas Sul"
    )
    for published in (digest, immediate):
        assert len(published.message["sms"]) <= 160
        assert len(published.subject) <= 100


def test_a_manifest_drafts_the_order_under_orders_grouped_by_supplier(store):
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    (event,) = store.s3_events()

    handler.handler(event, None)

    assert store.keys("orders/") == ["orders/2026-11-27/daily-2026-11-27.csv"]
    head = store.s3.head_object(Bucket=BUCKET, Key=store.keys("orders/")[0])
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["ServerSideEncryption"] == "AES256"
    order = store.get("orders/2026-11-27/daily-2026-11-27.csv").decode()
    rows = list(csv.DictReader(io.StringIO(order)))
    assert [(r["supplier"], r["sku"], r["stock"], r["quantity"]) for r in rows] == [
        ("Atacado Central", "BBQ-002", "1", "17"),
        ("Atacado Central", "ICE-001", "2", "28"),
        ("Distribuidora Bebidas Sul", "DRK-001", "3", "69"),
        ("", "SNK-010", "0", "20"),
    ]


def test_a_marker_records_what_was_sent(store):
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    (event,) = store.s3_events()
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    handler.handler(event, None)

    (marker,) = store.keys("alerts/sent/2026-11-27/")
    record = json.loads(store.get(marker))
    assert record["status"] == "sent"
    assert record["kind"] == "digest"
    assert record["source_key"] == DAILY_KEY
    assert record["subject"] == store.published()[0].subject
    assert record["sms_text"] == store.published()[0].message["sms"]
    assert record["order_key"] == "orders/2026-11-27/daily-2026-11-27.csv"
    assert record["channels"] == ["sns"]
    sent_at = datetime.datetime.fromisoformat(record["sent_at"])
    assert sent_at.utcoffset() == datetime.timedelta(0)
    assert sent_at >= before


def test_what_the_function_writes_and_a_reports_other_files_notify_nothing(store):
    store.put("reports/daily/2026-11-27/sales.csv", b"sku,name\n")
    store.put("orders/2026-11-27/daily-2026-11-27.csv", b"supplier\n")
    store.put("alerts/sent/2026-11-27/0123abcd.json", b"{}")
    assert store.s3_events() == []

    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    (event,) = store.s3_events()
    handler.handler(event, None)

    assert store.keys("orders/") and store.keys("alerts/sent/2026-11-27/")
    assert store.s3_events() == []  # its own order and marker triggered nothing


def test_the_same_notification_twice_publishes_once(store):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()

    first = handler.handler(event, None)
    second = handler.handler(event, None)

    assert first == ONE_ALERT
    assert second == NOTHING | {"duplicates": 1}
    assert len(store.published()) == 1
    assert len(store.keys("alerts/sent/")) == 1


def test_several_records_in_one_event_are_each_handled(store):
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    store.put("reports/daily/2026-11-27/old/summary.json", b"{}")  # not a manifest
    records = [r for event in store.s3_events() for r in event["Records"]]
    removed = records[0] | {"eventName": "ObjectRemoved:Delete"}

    result = handler.handler({"Records": [*records, removed, records[1]]}, None)

    assert result == {"processed": 2, "duplicates": 1, "malformed": 0, "skipped": 2}
    assert len(store.published()) == 2


def test_a_new_version_of_an_object_alerts_again_and_a_stale_notice_does_not(store):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    later = sample("low_stock_event.json")
    later["product"]["stock"] = 1
    store.put(EVENT_KEY, json.dumps(later).encode())
    stale, current = store.s3_events()

    assert handler.handler(stale, None) == NOTHING | {"skipped": 1}
    assert handler.handler(current, None) == ONE_ALERT

    (published,) = store.published()
    assert published.subject == (
        "Pit Stop: Coca-Cola 350ml can está acabando (1 em estoque)"
    )


def test_the_s3_test_event_sends_nothing(store):
    test_events = [m for m in store.messages() if m.get("Event") == "s3:TestEvent"]
    test_events.append(sample("s3_test_event.json"))
    assert len(test_events) == 2  # moto sent one when the notifications were set

    for event in test_events:
        assert handler.handler(event, None) == NOTHING
    assert store.published() == []
    assert store.keys("") == []


def test_a_key_with_spaces_and_accents_is_found_and_alerted(store):
    key = "events/low-stock/2026-11-27/PÃO DE QUEIJO-12.json"
    doc = sample("low_stock_event.json")
    doc["product"] |= {"sku": "PÃO DE QUEIJO", "name": "Pão de queijo (6 un.)"}
    store.put(key, json.dumps(doc, ensure_ascii=False).encode())
    (event,) = store.s3_events()
    encoded = event["Records"][0]["s3"]["object"]["key"]
    # S3 form-encodes keys (moto also turns "/" into %2F, where S3 keeps "/").
    assert encoded.endswith("2026-11-27%2FP%C3%83O+DE+QUEIJO-12.json")
    assert unquote_plus(encoded) == key

    assert handler.handler(event, None) == ONE_ALERT

    (published,) = store.published()
    assert published.subject == (
        "Pit Stop: Pão de queijo (6 un.) está acabando (3 em estoque)"
    )
    assert published.message["sms"].startswith(
        "Pit Stop: 1 com estoque baixo: PAO DE QUEIJO Pao de queijo (6 un.) 3/12"
    )


def test_a_malformed_manifest_is_logged_and_skipped_without_a_retry(store, caplog):
    store.put(DAILY_KEY, sample_bytes("malformed_summary.json"))
    (event,) = store.s3_events()

    with caplog.at_level(logging.INFO, logger="lambda_alert.handler"):
        assert handler.handler(event, None) == NOTHING | {"malformed": 1}
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert DAILY_KEY in warnings[0].getMessage()
        assert "not JSON" in warnings[0].getMessage()
        caplog.clear()

        # A redelivery finds the marker and stays quiet.
        assert handler.handler(event, None) == NOTHING | {"duplicates": 1}
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    assert store.published() == []
    assert store.keys("orders/") == []
    (marker,) = store.keys("alerts/sent/")
    record = json.loads(store.get(marker))
    assert record["status"] == "malformed"
    assert "not JSON" in record["error"]


def test_an_object_deleted_since_its_notice_is_skipped(store):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    store.s3.delete_object(Bucket=BUCKET, Key=EVENT_KEY)

    assert handler.handler(event, None) == NOTHING | {"skipped": 1}
    assert store.published() == []
    assert store.keys("alerts/") == []


def test_a_topic_that_does_not_exist_raises_and_frees_the_marker_for_the_retry(
    store, aws
):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    aws.setenv("ALERT_TOPIC_ARN", store.topic_arn + "-gone")
    handler.reset()

    with pytest.raises(ClientError):
        handler.handler(event, None)
    assert store.keys("alerts/") == []

    aws.setenv("ALERT_TOPIC_ARN", store.topic_arn)
    handler.reset()
    assert handler.handler(event, None) == ONE_ALERT
    assert len(store.published()) == 1


def test_a_throttled_publish_raises_and_the_retry_sends_the_digest_once(
    store, monkeypatch
):
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    (event,) = store.s3_events()
    sns = handler.client("sns", "us-east-1")
    throttled = ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish"
    )

    def publish(**kwargs):
        raise throttled

    monkeypatch.setattr(sns, "publish", publish)
    with pytest.raises(ClientError, match="Throttling"):
        handler.handler(event, None)
    assert store.keys("alerts/") == []

    monkeypatch.undo()
    assert handler.handler(event, None) == ONE_ALERT
    assert handler.handler(event, None) == NOTHING | {"duplicates": 1}
    assert len(store.published()) == 1
    assert store.keys("orders/") == ["orders/2026-11-27/daily-2026-11-27.csv"]


def test_an_unreachable_s3_raises_for_lambda_to_retry(store, monkeypatch):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()

    def get_object(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")

    monkeypatch.setattr(handler.client("s3"), "get_object", get_object)
    with pytest.raises(EndpointConnectionError):
        handler.handler(event, None)
    assert store.published() == []


def test_without_a_topic_nothing_is_claimed_and_the_error_is_raised(store, aws):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    aws.delenv("ALERT_TOPIC_ARN")
    handler.reset()

    with pytest.raises(RuntimeError, match="ALERT_TOPIC_ARN"):
        handler.handler(event, None)
    assert store.keys("alerts/") == []


def test_a_subscription_filtered_to_digests_gets_only_digests(store):
    """The Django side subscribes each manager with a FilterPolicy on `kind`."""
    queue_url = store.sqs.create_queue(QueueName="digests-only")["QueueUrl"]
    queue_arn = store.sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=store.topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "FilterPolicy": json.dumps({"kind": ["digest"]}),
            "RawMessageDelivery": "true",
        },
    )
    store.put(DAILY_KEY, sample_bytes("daily_summary.json"))
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    for event in store.s3_events():
        handler.handler(event, None)

    received = store.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    (message,) = received["Messages"]
    assert message["Body"] == store.published()[0].message["default"]


def test_records_that_are_not_new_alert_objects_are_skipped_without_aws(aws):
    created = sample("s3_object_created.json")
    (record,) = created["Records"]
    removed = record | {"eventName": "ObjectRemoved:Delete"}
    other = json.loads(json.dumps(record))
    other["s3"]["object"]["key"] = "reports/daily/2026-11-27/report.pdf"

    result = handler.handler({"Records": [removed, other, {"bogus": 1}]}, None)

    assert result == NOTHING | {"skipped": 3}


@pytest.mark.parametrize(
    "sent, key",
    [
        (
            "events/low-stock/2026-11-27/P%C3%83O+DE+QUEIJO-12.json",
            "events/low-stock/2026-11-27/PÃO DE QUEIJO-12.json",
        ),
        (
            "events/low-stock/2026-11-27/A%2BB-7.json",
            "events/low-stock/2026-11-27/A+B-7.json",
        ),
        (
            "events%2Flow-stock%2F2026-11-27%2FDRK-001-1.json",
            "events/low-stock/2026-11-27/DRK-001-1.json",
        ),
    ],
)
def test_keys_are_decoded_as_s3_sends_them(sent, key):
    (record,) = sample("s3_object_created.json")["Records"]
    record["s3"]["object"]["key"] = sent

    assert handler.record_source(record) == (
        BUCKET,
        key,
        "0123456789abcdef0123456789abcdef",
    )


@pytest.mark.parametrize(
    "event",
    [None, [], "Records", 42, {"Records": "x"}, {"Records": [None, 1, "x", []]}],
)
def test_an_event_that_is_not_an_s3_notification_is_skipped_without_a_crash(
    store, event
):
    result = handler.handler(event, None)

    assert result["processed"] == 0
    assert store.published() == []


def test_a_record_without_an_etag_alerts_once_with_the_same_object_s_other_records(
    store,
):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    bare = json.loads(json.dumps(event))
    del bare["Records"][0]["s3"]["object"]["eTag"]

    assert handler.handler(bare, None) == ONE_ALERT
    assert handler.handler(bare, None) == NOTHING | {"duplicates": 1}
    assert handler.handler(event, None) == NOTHING | {"duplicates": 1}
    assert len(store.published()) == 1
