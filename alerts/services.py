"""Alerts on the Django side.

PITSTOP_ALERTS=local: alert_object runs the alert function's own decision code
(lambda_alert.decide) on each new manifest or low-stock event and sends the
result through Django's e-mail backend (and WhatsApp when configured), writes
the replenishment order and the same "sent" marker the Lambda writes.
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
from django.utils import timezone

from alerts.models import Recipient
from lambda_alert.decide import Alert, Malformed, alert_for, marker_key, marker_record
from lambda_alert.handler import whatsapp_post

log = logging.getLogger(__name__)

LOCAL_BUCKET = "local"


def alert_object(*, key: str) -> dict | None:
    """Alert on one stored object, once per content: returns what was sent,
    or None for an object already handled, malformed or not an alert."""
    storage = storages["reports"]
    with storage.open(key, "rb") as f:
        body = f.read()
    marker = marker_key(LOCAL_BUCKET, key, hashlib.md5(body).hexdigest())
    if storage.exists(marker):
        log.info("alert for %s already sent (%s)", key, marker)
        return None
    try:
        alert = alert_for(
            key,
            body,
            language=settings.LANGUAGE_CODE,
            currency=settings.PITSTOP_CURRENCY,
        )
    except Malformed as exc:
        log.warning("skipping malformed %s: %s", key, exc)
        return None
    if alert is None:
        return None

    recipients = list(_recipients_for(alert.kind))
    emails = [r.email for r in recipients if r.email]
    channels = []
    if emails:
        send_mail(alert.subject, alert.email_body, None, emails)
        channels.append("email")
    whatsapp = [r.whatsapp for r in recipients if r.whatsapp]
    if whatsapp and _whatsapp_send(alert, whatsapp):
        channels.append("whatsapp")
    if alert.order_csv is not None:
        storage.save(alert.order_key, ContentFile(alert.order_csv))
    # The marker the Lambda writes, plus who it went to (SNS knows that there).
    sent = marker_record(
        source_key=key, sent_at=timezone.now(), alert=alert, channels=channels
    ) | {"to": emails + whatsapp}
    storage.save(marker, ContentFile(json.dumps(sent, indent=2).encode()))
    return sent


def _recipients_for(kind: str) -> Iterable[Recipient]:
    wants = {"immediate": "wants_immediate", "digest": "wants_digest"}[kind]
    return Recipient.objects.filter(is_active=True, **{wants: True})


def _whatsapp_send(alert: Alert, numbers: list[str]) -> bool:
    """Post to the configured webhook; off (False) unless it is configured."""
    url = settings.PITSTOP_WHATSAPP_WEBHOOK_URL
    token = settings.PITSTOP_WHATSAPP_TOKEN
    if not (url and token):
        return False
    return all(whatsapp_post(url, token, alert, to) for to in numbers)


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
