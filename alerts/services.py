"""Alerts on the Django side.

PITSTOP_ALERTS=local: each manifest or low-stock event stored opens a
`Delivery` (the outbox row); `delivery_send` runs the alert function's own
decision code (lambda_alert.decide) on it and sends the result through
Django's e-mail backend (and WhatsApp when configured) with the Lambda's
send-once pipeline (lambda_alert.sendonce): claim the marker, write the order,
send, finish. The same markers as on AWS, so the admin shows the same thing.
PITSTOP_ALERTS=aws: recipients are SNS subscriptions; S3 invokes the Lambda.
"""

import hashlib
import json
import logging
from collections.abc import Iterable

import boto3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from alerts.markers import storage_markers
from alerts.models import Delivery, Recipient
from lambda_alert import whatsapp
from lambda_alert.decide import (
    MALFORMED,
    Alert,
    Malformed,
    alert_for,
    marker_key,
    marker_record,
    marker_version,
)
from lambda_alert.sendonce import Sent, claim_take, send_once
from pitstop.outbox import failure_next, sweep_at

log = logging.getLogger(__name__)

LOCAL_BUCKET = "local"


def delivery_open(*, key: str) -> Delivery:
    """Record that the object at key is to be alerted on (again, if stored
    again: the markers still keep a second send away)."""
    delivery, _ = Delivery.objects.update_or_create(
        key=key,
        defaults={
            "status": Delivery.Status.PENDING,
            "attempts": 0,
            "error": "",
            "failing_since": None,
            "retry_at": sweep_at(),
        },
    )
    return delivery


def delivery_send(*, key: str) -> dict | None:
    """Alert on one delivery unless it is done; what was sent, or None.
    Storage and mail errors (and ClaimHeld) are raised for the retry."""
    delivery, _ = Delivery.objects.get_or_create(key=key)
    if delivery.status in (Delivery.Status.SENT, Delivery.Status.SKIPPED):
        return None
    sent = alert_object(key=key)
    # Still pending: a twin task that sent it has said "sent" already.
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT if sent else Delivery.Status.SKIPPED,
        error="",
        failing_since=None,
        retry_at=None,
    )
    return sent


def delivery_failed(*, key: str, error: BaseException) -> float | None:
    """Record a failed try; seconds until the retry, None once given up."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(key=key)
        fields, delay = failure_next(
            attempts=delivery.attempts + 1,
            failing_since=delivery.failing_since,
            error=error,
        )
        if delay is None:
            fields["status"] = Delivery.Status.FAILED
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts + 1, **fields
        )
    return delay


def deliveries_due() -> list[str]:
    """Pending deliveries that are overdue, given a new sweep time each."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Delivery.objects.filter(status=Delivery.Status.PENDING, retry_at__lte=now)
            .select_for_update(skip_locked=True)
            .values_list("key", flat=True)
        )
        Delivery.objects.filter(key__in=due).update(retry_at=sweep_at(now))
    return due


def deliveries_retry(*, ids: Iterable[int]) -> list[str]:
    """The admin's "try again" on failed deliveries; the keys to queue."""
    with transaction.atomic():
        again = list(
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.FAILED)
            .select_for_update()
            .values_list("key", flat=True)
        )
        Delivery.objects.filter(key__in=again).update(
            status=Delivery.Status.PENDING,
            attempts=0,
            failing_since=None,
            retry_at=sweep_at(),
        )
    return again


def alert_object(*, key: str) -> dict | None:
    """Alert on one stored object, once (a digest: once per list of low
    products); the finished marker's record, or None for an object already
    alerted on, malformed or not an alert."""
    storage = storages["reports"]
    markers = storage_markers(storage)
    lease = settings.ALERT_CLAIM_LEASE_SECONDS
    with storage.open(key, "rb") as f:
        body = f.read()
    etag = hashlib.md5(body).hexdigest()
    try:
        alert = alert_for(
            key,
            body,
            language=settings.LANGUAGE_CODE,
            currency=settings.PITSTOP_CURRENCY,
        )
    except Malformed as exc:
        record = marker_record(
            source_key=key, sent_at=timezone.now(), status=MALFORMED, error=str(exc)
        )
        if claim_take(
            markers, marker_key(LOCAL_BUCKET, key, etag), record, lease=lease
        ):
            log.warning("skipping malformed %s: %s", key, exc)
        return None
    if alert is None:
        return None
    recipients = list(_recipients_for(alert.kind))
    emails = [r.email for r in recipients if r.email]
    numbers = [r.whatsapp for r in recipients if r.whatsapp]

    def send() -> Sent:
        if alert.order_csv is not None:
            storage.save(alert.order_key, ContentFile(alert.order_csv))
        channels = []
        if emails:
            send_mail(alert.subject, alert.email_body, None, emails)
            channels.append("email")
        if numbers and _whatsapp_send(alert, numbers):
            channels.append("whatsapp")
        # Who it went to, which SNS knows on AWS.
        return Sent(channels=channels, details={"to": emails + numbers})

    marker = marker_key(LOCAL_BUCKET, key, marker_version(alert, etag))
    return send_once(
        markers,
        marker,
        alert,
        planned=["email", "whatsapp"] if numbers else ["email"],
        send=send,
        lease=lease,
    )


def _recipients_for(kind: str) -> Iterable[Recipient]:
    wants = {"immediate": "wants_immediate", "digest": "wants_digest"}[kind]
    return Recipient.objects.filter(is_active=True, **{wants: True})


def _whatsapp_send(alert: Alert, numbers: list[str]) -> bool:
    """Post to the configured webhook; off (False) unless it is configured."""
    url = settings.PITSTOP_WHATSAPP_WEBHOOK_URL
    token = settings.PITSTOP_WHATSAPP_TOKEN
    if not (url and token):
        return False
    return all(whatsapp.post(url, token, alert, to) for to in numbers)


# ------------------------------------------------------------------------------
# PITSTOP_ALERTS=aws: recipients are subscriptions to the alert topic
# ------------------------------------------------------------------------------


def recipient_subscriptions_sync(*, recipient_id: int) -> Recipient:
    """Make the recipient's SNS subscriptions match it: e-mail and SMS, each
    filtered to the kinds of alert it wants. Replaces the old ones."""
    recipient = Recipient.objects.get(pk=recipient_id)
    subscriptions_remove(
        arns=[recipient.email_subscription_arn, recipient.sms_subscription_arn]
    )
    wanted = recipient.is_active and recipient.kinds
    recipient.email_subscription_arn = (
        _subscribe("email", recipient.email, recipient.kinds)
        if wanted and recipient.email
        else ""
    )
    recipient.sms_subscription_arn = (
        _subscribe("sms", recipient.phone, recipient.kinds)
        if wanted and recipient.phone
        else ""
    )
    Recipient.objects.filter(pk=recipient.pk).update(
        email_subscription_arn=recipient.email_subscription_arn,
        sms_subscription_arn=recipient.sms_subscription_arn,
    )
    return recipient


def subscriptions_remove(*, arns: Iterable[str]) -> None:
    sns = _sns()
    for arn in arns:
        # An e-mail not confirmed yet has no ARN to remove; SNS drops it itself.
        if arn.startswith("arn:"):
            sns.unsubscribe(SubscriptionArn=arn)


def _subscribe(protocol: str, endpoint: str, kinds: list[str]) -> str:
    response = _sns().subscribe(
        TopicArn=settings.PITSTOP_ALERT_TOPIC_ARN,
        Protocol=protocol,
        Endpoint=endpoint,
        Attributes={"FilterPolicy": json.dumps({"kind": kinds})},
        ReturnSubscriptionArn=True,
    )
    return response["SubscriptionArn"]


def _sns():
    # The topic's own region: botocore reads AWS_DEFAULT_REGION, not AWS_REGION.
    region = settings.PITSTOP_ALERT_TOPIC_ARN.split(":")[3]
    return boto3.client("sns", region_name=region)
