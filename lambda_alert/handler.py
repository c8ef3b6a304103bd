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
    LOG_LEVEL             INFO unless set.

WhatsApp is off unless its URL, token and recipients are all set. Region,
endpoint and credentials are boto3's own (AWS_DEFAULT_REGION, which Lambda sets;
AWS_ENDPOINT_URL; the function's role); SNS is called in the topic's region.

Each object version (bucket, key, ETag) alerts once: before sending, a marker is
written under ``alerts/sent/<day>/`` with a conditional put (a duplicate
delivery finds it and stops); if sending fails the marker is removed again and
the error raised, so that Lambda's retry sends. The role needs s3:GetObject on
``reports/*`` and ``events/*``, s3:PutObject on ``orders/*`` and ``alerts/*``,
s3:DeleteObject on ``alerts/*`` and sns:Publish on the topic.
"""

import datetime
import functools
import http.client
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from lambda_alert import decide, l10n
from lambda_alert.decide import Alert, Malformed

log = logging.getLogger(__name__)
log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

ALERTED, DUPLICATE, MALFORMED, SKIPPED = "alerted", "duplicate", "malformed", "skipped"
WHATSAPP_TIMEOUT = 5  # seconds a number: SNS went out already, don't wait long
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


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

    @property
    def whatsapp(self) -> bool:
        """Whether WhatsApp messages go out."""
        return bool(self.whatsapp_url and self.whatsapp_token and self.whatsapp_to)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would carry the bearer token to the new address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


# ------------------------------------------------------------------------------
# Set-up, on first use: tests set the environment and start moto first, and a
# warm start reuses what the first invocation made.
# ------------------------------------------------------------------------------


@functools.cache
def config() -> Config:
    """The settings, read from the environment once per container."""
    url = os.environ.get("WHATSAPP_WEBHOOK_URL", "").strip()
    if url and not webhook_allowed(url):
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
    return boto3.client(service, region_name=region)


def reset() -> None:
    """Forget the settings and clients (tests: after changing env or mocks)."""
    config.cache_clear()
    client.cache_clear()


def webhook_allowed(url: str) -> bool:
    """https://, or http:// to this machine only: the token must not go in clear."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


# ------------------------------------------------------------------------------
# Handler
# ------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: object) -> dict[str, int]:
    """Alert once on each S3 record; an s3:TestEvent has none."""
    if event.get("Event") == "s3:TestEvent":
        log.info("s3:TestEvent for %s: nothing to do", event.get("Bucket"))
    return summary(record_handle(record) for record in event.get("Records") or [])


def summary(outcomes: Iterable[str]) -> dict[str, int]:
    """How many records alerted, and why the others did not."""
    counts = Counter(outcomes)
    return {
        "processed": counts[ALERTED],
        "duplicates": counts[DUPLICATE],
        "malformed": counts[MALFORMED],
        "skipped": counts[SKIPPED],
    }


def record_handle(record: dict[str, Any]) -> str:
    """Alert on the object one record names, unless done already; the outcome."""
    source = record_source(record)
    if source is None:
        return SKIPPED
    bucket, key, etag = source
    body = object_read(bucket, key, etag)
    if body is None:
        return SKIPPED
    marker = decide.marker_key(bucket, key, etag)
    try:
        alert = decide.alert_for(
            key,
            body,
            store=config().store,
            language=config().language,
            currency=config().currency,
        )
    except Malformed as exc:
        return malformed_keep(bucket, key, marker, exc)
    if alert is None:  # record_source let only manifest and event keys through
        return SKIPPED
    return alert_send(bucket, marker, alert)


def record_source(record: dict[str, Any]) -> tuple[str, str, str] | None:
    """(bucket, key, ETag) of an ObjectCreated record for an alert key, or None."""
    try:
        bucket = record["s3"]["bucket"]["name"]
        # S3 sends keys form-encoded: spaces as "+", "Ã" as "%C3%83".
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        etag = record["s3"]["object"].get("eTag", "").strip('"')
    except (KeyError, TypeError, AttributeError):
        log.warning("not an S3 record, skipped: %.300r", record)
        return None
    if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
        log.info("%s on %s: not a new object, skipped", record.get("eventName"), key)
        return None
    if decide.key_kind(key) is None:
        log.info("%s is neither a report manifest nor a low-stock event", key)
        return None
    return bucket, key, etag


def object_read(bucket: str, key: str, etag: str) -> bytes | None:
    """The object's bytes; None if it is gone, or replaced (its own event follows)."""
    version = {"IfMatch": f'"{etag}"'} if etag else {}
    try:
        response = client("s3").get_object(Bucket=bucket, Key=key, **version)
    except ClientError as exc:
        if _code(exc) == "NoSuchKey":
            log.info("%s is gone since, skipped", key)
            return None
        if _code(exc) == "PreconditionFailed":
            log.info("%s changed since (ETag %s): its own event alerts", key, etag)
            return None
        raise
    return response["Body"].read()


def malformed_keep(bucket: str, key: str, marker: str, exc: Malformed) -> str:
    """Log an object that cannot be read, once, and mark it: a retry won't help."""
    record = decide.marker_record(
        source_key=key, sent_at=_now(), status=decide.MALFORMED, error=str(exc)
    )
    if not marker_claim(bucket, marker, record):
        return DUPLICATE
    log.warning("%s is malformed, no alert: %s", key, exc)
    return MALFORMED


def alert_send(bucket: str, marker: str, alert: Alert) -> str:
    """Claim the marker, write the order and publish; a failure frees the claim."""
    if not config().topic_arn:
        raise RuntimeError("ALERT_TOPIC_ARN is not set: nowhere to send alerts")
    planned = ["sns", "whatsapp"] if config().whatsapp else ["sns"]
    claim = decide.marker_record(
        source_key=alert.source_key,
        sent_at=_now(),
        alert=alert,
        status=decide.SENDING,
        channels=planned,
    )
    if not marker_claim(bucket, marker, claim):
        log.info("%s was alerted already, skipped", alert.source_key)
        return DUPLICATE
    try:
        if alert.order_key and alert.order_csv:
            order_write(bucket, alert)
        sns_publish(alert)
    except Exception:
        marker_release(bucket, marker)
        raise
    whatsapp_sent = whatsapp_send(alert)
    marker_finish(bucket, marker, alert, whatsapp_sent)
    return ALERTED


# ------------------------------------------------------------------------------
# Outputs
# ------------------------------------------------------------------------------


def marker_claim(bucket: str, marker: str, record: dict[str, Any]) -> bool:
    """Write the marker unless it exists; False: another delivery has it."""
    try:
        _marker_put(bucket, marker, record, IfNoneMatch="*")
    except ClientError as exc:
        if _code(exc) == "PreconditionFailed":
            return False
        raise  # ConditionalRequestConflict (409) too: a racing write, retry
    return True


def marker_release(bucket: str, marker: str) -> None:
    """Remove a claim after a failed send, so that Lambda's retry sends."""
    try:
        client("s3").delete_object(Bucket=bucket, Key=marker)
    except (ClientError, BotoCoreError):
        # The send's own error is raised; this one means the retry will skip.
        log.exception("could not remove %s: a retry will not send this alert", marker)


def marker_finish(bucket: str, marker: str, alert: Alert, whatsapp_sent: int) -> None:
    """Record in the marker what went out; best effort, the alert is sent."""
    wanted = len(config().whatsapp_to) if config().whatsapp else 0
    failed = wanted - whatsapp_sent
    record = decide.marker_record(
        source_key=alert.source_key,
        sent_at=_now(),
        alert=alert,
        channels=["sns", "whatsapp"] if whatsapp_sent else ["sns"],
        error=f"whatsapp: {failed} of {wanted} failed" if failed else "",
    )
    try:
        _marker_put(bucket, marker, record)
    except (ClientError, BotoCoreError):
        log.warning("could not record the outcome in %s", marker, exc_info=True)


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
    """Message each WhatsApp number; how many went. Failures are only logged:
    SNS went out already, and a retry would send it all again."""
    cfg = config()
    if not cfg.whatsapp:
        return 0
    return sum(
        whatsapp_post(cfg.whatsapp_url, cfg.whatsapp_token, alert, number)
        for number in cfg.whatsapp_to
    )


def whatsapp_post(url: str, token: str, alert: Alert, to: str) -> bool:
    """POST the alert to one number through the Cloud API; False, logged, if not."""
    if not webhook_allowed(url):
        log.error("WhatsApp webhook is not https://: not sent")
        return False
    request = urllib.request.Request(
        url,
        data=json.dumps(decide.whatsapp_payload(alert, to)).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=WHATSAPP_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        # Meta explains a refusal in the body, e.g. 131047: outside the 24 h window.
        detail = exc.read(500).decode(errors="replace")
        log.warning("WhatsApp to %s: HTTP %s %s", _masked(to), exc.code, detail)
        return False
    except (OSError, http.client.HTTPException) as exc:
        log.warning("WhatsApp to %s failed: %s", _masked(to), exc)
        return False
    return True


def _marker_put(
    bucket: str, marker: str, record: dict[str, Any], **conditions: str
) -> None:
    client("s3").put_object(
        Bucket=bucket,
        Key=marker,
        Body=json.dumps(record, ensure_ascii=False, indent=2).encode(),
        ContentType="application/json",
        ServerSideEncryption="AES256",
        **conditions,
    )


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _arn_region(arn: str) -> str | None:
    """The topic's region: publishing goes there whatever the function's region."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else None


def _masked(number: str) -> str:
    return f"…{number[-4:]}"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
