"""AWS Lambda entry point: tell the store manager what is running out.

Handler ``lambda_alert.handler.handler`` (Python 3.12; standard library and
boto3 only). The reports bucket invokes it on ObjectCreated for ``reports/`` +
``summary.json`` (a report manifest: a digest, and a replenishment order written
to ``orders/<day>/``) and for ``events/`` (a low-stock event: an immediate
alert). It publishes to an SNS topic, whose e-mail subscribers get the e-mail
body and SMS subscribers the SMS text, and, if configured, to WhatsApp.

Environment:

    ALERT_TOPIC_ARN       the SNS topic; required to publish.
    STORE_NAME            the store's name in subjects and texts ("Pit Stop").
    STORE_LANGUAGE        pt-br (default) or en: the language of the texts.
    STORE_CURRENCY        ISO 4217 code of the store's money (BRL, written R$).
    WHATSAPP_WEBHOOK_URL  the WhatsApp Cloud API messages URL, https:// only, e.g.
                          https://graph.facebook.com/v21.0/<phone-number-id>/messages
    WHATSAPP_TOKEN_PARAMETER  the SSM Parameter Store SecureString holding its
                          bearer token, read once per cold start (deploy/).
    WHATSAPP_TOKEN        the token itself, where no parameter is named.
    WHATSAPP_TO           recipients, comma-separated digits with country code.
    ALERT_CLAIM_LEASE_SECONDS
                          how long a claim may stay unfinished before a retry
                          takes it over (default 90: over the function's 60 s).
    LOG_LEVEL             INFO unless set.

WhatsApp is off unless its URL, token and recipients are all set. Region,
endpoint and credentials are boto3's own (AWS_DEFAULT_REGION, which Lambda sets;
AWS_ENDPOINT_URL; the function's role); SNS is called in the topic's region.

Each low-stock event version (bucket, key, ETag), and each report's list of
low products, alerts once, through `lambda_alert.sendonce`: claim a marker
under ``alerts/sent/<day>/`` with a conditional put, write the order, publish,
finish the marker. A failed send removes the claim and raises, so that
Lambda's retry sends; a claim left by a killed or timed-out invocation is
taken over once older than the lease. boto3 calls time out (3 s to connect,
10 s to read, standard retries) well inside the function's 60 s, so a slow
call fails in time to be retried. The role needs s3:GetObject on
``reports/*``, ``events/*`` and ``alerts/sent/*``, s3:PutObject on
``orders/*`` and ``alerts/sent/*``, s3:DeleteObject on ``alerts/sent/*`` and
sns:Publish on the topic.
"""

import functools
import json
import logging
import os
import urllib.parse
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from lambda_alert import decide, l10n, sendonce, whatsapp
from lambda_alert.decide import Alert, Malformed
from lambda_alert.s3store import S3Markers, code

log = logging.getLogger(__name__)
log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

ALERTED, DUPLICATE, MALFORMED, SKIPPED = "alerted", "duplicate", "malformed", "skipped"
# Well inside the function's 60 s: a slow S3 or SNS fails in time to retry.
BOTO_CONFIG = BotoConfig(
    connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3}
)


@dataclass(frozen=True)
class Config:
    """The function's settings, from its environment."""

    topic_arn: str
    store: str
    language: str
    currency: str
    whatsapp_url: str
    whatsapp_token: str
    whatsapp_to: tuple[str, ...]
    lease: float

    @property
    def whatsapp(self) -> bool:
        """Whether WhatsApp messages go out."""
        return bool(self.whatsapp_url and self.whatsapp_token and self.whatsapp_to)


# ------------------------------------------------------------------------------
# Set-up, on first use: tests set the environment and start moto first, and a
# warm start reuses what the first invocation made.
# ------------------------------------------------------------------------------


@functools.cache
def config() -> Config:
    """The settings, read from the environment once per container."""
    url = os.environ.get("WHATSAPP_WEBHOOK_URL", "").strip()
    if url and not whatsapp.webhook_allowed(url):
        log.error("WHATSAPP_WEBHOOK_URL is not https://: WhatsApp is off")
        url = ""
    numbers = os.environ.get("WHATSAPP_TO", "").split(",")
    return Config(
        topic_arn=os.environ.get("ALERT_TOPIC_ARN", "").strip(),
        store=os.environ.get("STORE_NAME", "").strip() or decide.STORE,
        language=l10n.language(os.environ.get("STORE_LANGUAGE")),
        currency=os.environ.get("STORE_CURRENCY", "").strip().upper()
        or decide.CURRENCY,
        whatsapp_url=url,
        whatsapp_token=whatsapp_token(),
        whatsapp_to=tuple(n.strip() for n in numbers if n.strip()),
        lease=_seconds(os.environ.get("ALERT_CLAIM_LEASE_SECONDS", "")),
    )


def whatsapp_token() -> str:
    """The bearer token: from Parameter Store when WHATSAPP_TOKEN_PARAMETER names
    it, else WHATSAPP_TOKEN. Unreadable: WhatsApp is off, SNS still goes out."""
    name = os.environ.get("WHATSAPP_TOKEN_PARAMETER", "").strip()
    if not name:
        return os.environ.get("WHATSAPP_TOKEN", "").strip()
    try:
        answer = client("ssm").get_parameter(Name=name, WithDecryption=True)
    except (BotoCoreError, ClientError) as exc:
        log.error("cannot read %s (%s): WhatsApp is off", name, exc)
        return ""
    return answer["Parameter"]["Value"].strip()


@functools.cache
def client(service: str, region: str | None = None) -> Any:
    """A boto3 client, made once; region None is boto3's own."""
    return boto3.client(service, region_name=region, config=BOTO_CONFIG)


def reset() -> None:
    """Forget the settings and clients (tests: after changing env or mocks)."""
    config.cache_clear()
    client.cache_clear()


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        return sendonce.LEASE_SECONDS
    return seconds if seconds > 0 else sendonce.LEASE_SECONDS


# ------------------------------------------------------------------------------
# Handler
# ------------------------------------------------------------------------------


def handler(event: Any, context: object) -> dict[str, int]:
    """Alert once on each S3 record; an s3:TestEvent has none."""
    if not isinstance(event, dict):
        log.warning("not an S3 notification, nothing to do: %.300r", event)
        return summary([])
    if event.get("Event") == "s3:TestEvent":
        log.info("s3:TestEvent for %s: nothing to do", event.get("Bucket"))
    records = event.get("Records")
    if not isinstance(records, list):
        records = []
    return summary(record_handle(record) for record in records)


def summary(outcomes: Iterable[str]) -> dict[str, int]:
    """How many records alerted, and why the others did not."""
    counts = Counter(outcomes)
    return {
        "processed": counts[ALERTED],
        "duplicates": counts[DUPLICATE],
        "malformed": counts[MALFORMED],
        "skipped": counts[SKIPPED],
    }


def record_handle(record: Any) -> str:
    """Alert on the object one record names, unless done already; the outcome."""
    source = record_source(record)
    if source is None:
        return SKIPPED
    bucket, key, etag = source
    found = object_read(bucket, key, etag)
    if found is None:
        return SKIPPED
    body, etag = found
    markers = S3Markers(client("s3"), bucket)
    try:
        alert = decide.alert_for(
            key,
            body,
            store=config().store,
            language=config().language,
            currency=config().currency,
        )
    except Malformed as exc:
        return malformed_keep(markers, key, decide.marker_key(bucket, key, etag), exc)
    if alert is None:  # record_source let only manifest and event keys through
        return SKIPPED
    marker = decide.marker_key(bucket, key, decide.marker_version(alert, etag))
    return alert_send(markers, marker, alert)


def record_source(record: Any) -> tuple[str, str, str] | None:
    """(bucket, key, ETag or "") of an ObjectCreated record for an alert key."""
    try:
        bucket = record["s3"]["bucket"]["name"]
        # S3 sends keys form-encoded: spaces as "+", "Ã" as "%C3%83".
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        etag = str(record["s3"]["object"].get("eTag") or "").strip('"')
        name = str(record.get("eventName", ""))
    except (KeyError, TypeError, AttributeError):
        log.warning("not an S3 record, skipped: %.300r", record)
        return None
    if not name.startswith("ObjectCreated:"):
        log.info("%s on %s: not a new object, skipped", name, key)
        return None
    if decide.key_kind(key) is None:
        log.info("%s is neither a report manifest nor a low-stock event", key)
        return None
    return bucket, key, etag


def object_read(bucket: str, key: str, etag: str) -> tuple[bytes, str] | None:
    """The object's bytes and ETag; None if it is gone, or replaced (its own
    event follows). A record without an ETag gets the current object's."""
    version = {"IfMatch": f'"{etag}"'} if etag else {}
    try:
        response = client("s3").get_object(Bucket=bucket, Key=key, **version)
    except ClientError as exc:
        if code(exc) == "NoSuchKey":
            log.info("%s is gone since, skipped", key)
            return None
        if code(exc) == "PreconditionFailed":
            log.info("%s changed since (ETag %s): its own event alerts", key, etag)
            return None
        raise
    return response["Body"].read(), response["ETag"].strip('"')


def malformed_keep(markers: S3Markers, key: str, marker: str, exc: Malformed) -> str:
    """Log an object that cannot be read, once, and mark it: a retry won't help."""
    record = decide.marker_record(
        source_key=key,
        sent_at=sendonce.now(),
        status=decide.MALFORMED,
        error=str(exc),
    )
    if not sendonce.claim_take(markers, marker, record, lease=config().lease):
        return DUPLICATE
    log.warning("%s is malformed, no alert: %s", key, exc)
    return MALFORMED


def alert_send(markers: S3Markers, marker: str, alert: Alert) -> str:
    """Claim, write the order, publish, finish (lambda_alert.sendonce)."""
    cfg = config()
    if not cfg.topic_arn:
        raise RuntimeError("ALERT_TOPIC_ARN is not set: nowhere to send alerts")

    def send() -> sendonce.Sent:
        if alert.order_key and alert.order_csv:
            order_write(markers.bucket, alert)
        sns_publish(alert)
        # WhatsApp failures are only logged: SNS went out already.
        wanted = len(cfg.whatsapp_to) if cfg.whatsapp else 0
        went = whatsapp_send(alert)
        return sendonce.Sent(
            channels=["sns", "whatsapp"] if went else ["sns"],
            error=f"whatsapp: {wanted - went} of {wanted} failed"
            if wanted - went
            else "",
        )

    sent = sendonce.send_once(
        markers,
        marker,
        alert,
        planned=["sns", "whatsapp"] if cfg.whatsapp else ["sns"],
        send=send,
        lease=cfg.lease,
    )
    return DUPLICATE if sent is None else ALERTED


# ------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------


def order_write(bucket: str, alert: Alert) -> None:
    """Store the replenishment order beside the reports (never under reports/)."""
    client("s3").put_object(
        Bucket=bucket,
        Key=alert.order_key,
        Body=alert.order_csv,
        ContentType="text/csv; charset=utf-8",
        ServerSideEncryption="AES256",
    )


def sns_publish(alert: Alert) -> str:
    """Publish the e-mail and SMS versions of the alert; the message id."""
    cfg = config()
    message = {
        "default": alert.email_body,
        "email": alert.email_body,
        "sms": alert.sms_text,
    }
    response = client("sns", _arn_region(cfg.topic_arn)).publish(
        TopicArn=cfg.topic_arn,
        Message=json.dumps(message, ensure_ascii=False),
        MessageStructure="json",
        Subject=alert.subject,
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": alert.kind},
            "store": {"DataType": "String", "StringValue": cfg.store},
        },
    )
    log.info("%s alert for %s published", alert.kind, alert.source_key)
    return response["MessageId"]


def whatsapp_send(alert: Alert) -> int:
    """Message each WhatsApp number; how many went."""
    cfg = config()
    if not cfg.whatsapp:
        return 0
    return sum(
        whatsapp.post(cfg.whatsapp_url, cfg.whatsapp_token, alert, number)
        for number in cfg.whatsapp_to
    )


def _arn_region(arn: str) -> str | None:
    """The topic's region: publishing goes there whatever the function's region."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else None
