"""Managers keep the alert recipients; on AWS they are the topic's subscribers."""

import json

import boto3
import pytest
from django.urls import reverse

from alerts.models import Recipient

# These tests read the English texts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def topic(settings, aws_mock):
    sns = boto3.client("sns")
    arn = sns.create_topic(Name="pitstop-alerts")["TopicArn"]
    settings.PITSTOP_ALERTS = "aws"
    settings.PITSTOP_ALERT_TOPIC_ARN = arn
    return sns, arn


def subscriptions(sns, arn) -> dict[str, dict]:
    found = {}
    for sub in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
        attributes = sns.get_subscription_attributes(
            SubscriptionArn=sub["SubscriptionArn"]
        )
        found[sub["Protocol"]] = sub | attributes["Attributes"]
    return found


FORM = {
    "name": "Ana",
    "email": "ana@pitstop.example",
    "phone": "+5511987654321",
    "whatsapp": "",
    "wants_immediate": "on",
    "is_active": "on",
}


def test_saving_a_recipient_subscribes_it_with_the_kinds_it_wants(
    manager_client, topic, django_capture_on_commit_callbacks
):
    sns, arn = topic

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("admin:alerts_recipient_add"), FORM)

    assert response.status_code == 302
    subs = subscriptions(sns, arn)
    assert {p: s["Endpoint"] for p, s in subs.items()} == {
        "email": "ana@pitstop.example",
        "sms": "+5511987654321",
    }
    assert json.loads(subs["sms"]["FilterPolicy"]) == {"kind": ["immediate"]}
    recipient = Recipient.objects.get()
    assert recipient.sms_subscription_arn == subs["sms"]["SubscriptionArn"]


def test_removing_a_recipient_unsubscribes_it(
    manager_client, topic, django_capture_on_commit_callbacks
):
    sns, arn = topic
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("admin:alerts_recipient_add"), FORM)
    recipient = Recipient.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("admin:alerts_recipient_delete", args=[recipient.pk]),
            {"post": "yes"},
        )

    assert subscriptions(sns, arn) == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "", "phone": ""}, "Give an e-mail, a phone or a WhatsApp number"),
        ({"phone": "11 98765-4321"}, "international form"),
    ],
)
def test_a_recipient_needs_a_valid_channel(manager_client, change, message):
    response = manager_client.post(reverse("admin:alerts_recipient_add"), FORM | change)

    assert message in response.content.decode()
    assert not Recipient.objects.exists()


def test_in_local_mode_nothing_reaches_aws(
    manager_client, topic, settings, django_capture_on_commit_callbacks
):
    sns, arn = topic
    settings.PITSTOP_ALERTS = "local"

    with django_capture_on_commit_callbacks(execute=True) as queued:
        manager_client.post(reverse("admin:alerts_recipient_add"), FORM)

    assert queued == []  # no subscription task
    assert subscriptions(sns, arn) == {}
    assert Recipient.objects.get().email_subscription_arn == ""


def test_the_manager_sees_alerts_sent_and_orders(manager_client, reports_storage):
    marker = reports_storage / "alerts" / "sent" / "2026-11-27" / "abc.json"
    marker.parent.mkdir(parents=True)
    marker.write_text(
        json.dumps(
            {
                "kind": "digest",
                "subject": "Pit Stop daily report 2026-11-27",
                "sms_text": "2 low: CHP-001 …",
                "source_key": "reports/daily/2026-11-27/summary.json",
                "sent_at": "2026-11-28T03:10:00+00:00",
                "channels": ["email"],
                "to": ["ana@pitstop.example"],
            }
        )
    )
    order = reports_storage / "orders" / "2026-11-27" / "daily-2026-11-27.csv"
    order.parent.mkdir(parents=True)
    order.write_text("supplier,sku\n")

    page = manager_client.get(reverse("admin:alerts_recipient_sent"))

    html = page.content.decode()
    assert "Pit Stop daily report 2026-11-27" in html
    assert "/reports/files/orders/2026-11-27/daily-2026-11-27.csv" in html
    download = manager_client.get(
        "/reports/files/orders/2026-11-27/daily-2026-11-27.csv"
    )
    assert download.status_code == 200


def test_a_clerk_sees_no_alerts(clerk_client):
    assert clerk_client.get(reverse("admin:alerts_recipient_sent")).status_code == 302
