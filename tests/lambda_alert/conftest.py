"""The alert function's world under moto: a reports bucket whose S3 notifications
go to an SQS queue (so tests get real event shapes) and an alert topic."""

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from lambda_alert import handler

EVENTS = Path(__file__).parent / "events"
BUCKET = "pitstop-reports"
REGION = "us-east-1"
DAILY_KEY = "reports/daily/2026-11-27/summary.json"
WEEKLY_KEY = "reports/weekly/2026-W48/summary.json"
EVENT_KEY = "events/low-stock/2026-11-27/DRK-001-1234.json"
# The bucket's notification configuration, as deploy/ sets it up (DESIGN.md).
NOTIFICATIONS = [
    ("report-manifests", [("prefix", "reports/"), ("suffix", "summary.json")]),
    ("low-stock-events", [("prefix", "events/")]),
]


def sample(name: str) -> dict[str, Any]:
    """A copy of events/<name>, to change freely."""
    return copy.deepcopy(json.loads((EVENTS / name).read_text()))


def sample_bytes(name: str) -> bytes:
    return (EVENTS / name).read_bytes()


@dataclass(frozen=True)
class Published:
    """One message the alert topic received, as moto recorded it."""

    message: dict[str, str]  # MessageStructure=json: default, email, sms
    subject: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class Store:
    """The reports bucket, its notification queue and the alert topic."""

    s3: Any
    sqs: Any
    queue_url: str
    topic_arn: str

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    def messages(self) -> list[dict[str, Any]]:
        """Every notification waiting in the queue, JSON-decoded, oldest first."""
        found = []
        while batch := self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages"):
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return found

    def s3_events(self) -> list[dict[str, Any]]:
        """The waiting notifications that are object events (no s3:TestEvent)."""
        return [m for m in self.messages() if "Records" in m]

    def published(self) -> list[Published]:
        topic = sns_backends[DEFAULT_ACCOUNT_ID][REGION].topics[self.topic_arn]
        return [
            Published(
                message=json.loads(message),
                subject=subject,
                attributes={k: v["Value"] for k, v in (attributes or {}).items()},
            )
            for _, message, subject, attributes, _ in topic.sent_notifications
        ]

    def keys(self, prefix: str) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]

    def get(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials, one region, no endpoint or alert settings from outside;
    the handler's cached settings and clients forgotten before and after."""
    # The stand-in webhook on 127.0.0.1 must not go through a proxy.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for name in [
        "AWS_ENDPOINT_URL_SNS",
        "ALERT_TOPIC_ARN",
        "STORE_NAME",
        "STORE_LANGUAGE",
        "STORE_CURRENCY",
        "WHATSAPP_WEBHOOK_URL",
        "WHATSAPP_TOKEN",
        "WHATSAPP_TOKEN_PARAMETER",
        "WHATSAPP_TO",
    ]:
        monkeypatch.delenv(name, raising=False)
    handler.reset()
    yield monkeypatch
    handler.reset()


@pytest.fixture
def aws(aws_mock, aws_env):
    return aws_env


@pytest.fixture
def store(aws) -> Store:
    """The bucket notifies the queue for manifests and events; ALERT_TOPIC_ARN set."""
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue_url = sqs.create_queue(QueueName="reports-bucket-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": name,
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": rule, "Value": value} for rule, value in rules
                            ]
                        }
                    },
                }
                for name, rules in NOTIFICATIONS
            ]
        },
    )
    topic_arn = boto3.client("sns").create_topic(Name="pitstop-alerts")["TopicArn"]
    aws.setenv("ALERT_TOPIC_ARN", topic_arn)
    handler.reset()
    return Store(s3=s3, sqs=sqs, queue_url=queue_url, topic_arn=topic_arn)
