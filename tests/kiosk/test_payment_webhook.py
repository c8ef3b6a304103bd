"""POST /api/payments/webhook/: a payment service confirms a kiosk's pending
sale with a body signed under PITSTOP_PAYMENT_WEBHOOK_SECRET. No payment
service is reachable here: these are the signed fake payloads it would send."""

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.test import Client

from sales.models import Sale
from sales.payments import sale_payment_confirm
from sales.services import sale_create, sale_void
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-0123456789abcdef"
URL = "/api/payments/webhook/"


@pytest.fixture(autouse=True)
def secret(settings):
    settings.PITSTOP_PAYMENT_WEBHOOK_SECRET = SECRET


@pytest.fixture
def pending(kiosk):
    ProductFactory(sku="WAT-001", price=Decimal("3.00"), stock=10)
    sale, _ = sale_create(
        clerk=kiosk, lines=[("WAT-001", 2)], payment="pix", unattended=True
    )
    assert sale.payment_status == "pending"
    return sale


def signed(body: bytes, secret: str = SECRET) -> str:
    # Written out here, not with the code under test: what a PSP computes.
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notify(payload, *, signature: str | None = "sign", raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {}
    if signature == "sign":
        headers["HTTP_X_SIGNATURE"] = signed(body)
    elif signature is not None:
        headers["HTTP_X_SIGNATURE"] = signature
    # No login, no CSRF token: a payment service has neither.
    client = Client(enforce_csrf_checks=True)
    return client.post(URL, body, content_type="application/json", **headers)


def payment_of(sale: Sale) -> tuple:
    sale.refresh_from_db()
    return (
        sale.payment_status,
        sale.payment_confirmed_by,
        sale.payment_reference,
        sale.paid_at is not None,
    )


def test_a_signed_confirmation_marks_the_pending_sale_paid(pending):
    answer = notify({"sale": pending.pk, "status": "paid", "reference": "E2E-1"})

    assert answer.status_code == 200
    assert answer.json() == {
        "sale": pending.pk,
        "payment_status": "paid",
        "changed": True,
    }
    assert payment_of(pending) == ("paid", "service", "E2E-1", True)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        signed(b"another body"),
        signed(b"x", secret="another-secret-0123456789"),
    ],
    ids=["missing", "empty", "no-digest", "zeros", "other-body", "other-secret"],
)
def test_a_bad_or_missing_signature_is_403_and_changes_nothing(pending, signature):
    payload = {"sale": pending.pk, "status": "paid", "reference": "E2E-1"}

    answer = notify(payload, signature=signature)

    assert answer.status_code == 403
    assert answer.json()["error"] == "bad_signature"
    assert payment_of(pending) == ("pending", "", "", False)


def test_a_signature_of_the_body_reencoded_is_not_the_bodys(pending):
    # The HMAC is of the raw bytes: the same JSON with other spacing is
    # another body.
    payload = {"sale": pending.pk, "status": "paid", "reference": "E2E-1"}
    raw = json.dumps(payload, separators=(",", ":")).encode()

    answer = notify(payload, raw=raw, signature=signed(json.dumps(payload).encode()))

    assert answer.status_code == 403
    assert payment_of(pending) == ("pending", "", "", False)


def test_without_a_secret_the_webhook_refuses_even_a_signed_body(pending, settings):
    settings.PITSTOP_PAYMENT_WEBHOOK_SECRET = ""
    body = json.dumps({"sale": pending.pk, "status": "paid", "reference": "E2E-1"})

    for signature in (signed(body.encode(), secret=""), None):
        answer = notify(None, raw=body.encode(), signature=signature)
        assert answer.status_code == 403

    assert payment_of(pending) == ("pending", "", "", False)


def test_a_replay_is_200_and_changes_nothing(pending):
    payload = {"sale": pending.pk, "status": "paid", "reference": "E2E-1"}
    assert notify(payload).status_code == 200
    pending.refresh_from_db()
    paid_at = pending.paid_at

    again = notify(payload)

    assert again.status_code == 200
    assert again.json() == {
        "sale": pending.pk,
        "payment_status": "paid",
        "changed": False,
    }
    pending.refresh_from_db()
    assert pending.paid_at == paid_at
    assert payment_of(pending) == ("paid", "service", "E2E-1", True)


def test_another_payment_for_a_paid_sale_is_409_and_changes_nothing(pending):
    notify({"sale": pending.pk, "status": "paid", "reference": "E2E-1"})

    answer = notify({"sale": pending.pk, "status": "paid", "reference": "E2E-2"})
    failed = notify({"sale": pending.pk, "status": "failed", "reference": "E2E-3"})

    for refused in (answer, failed):
        assert refused.status_code == 409
        assert refused.json()["error"] == "already_paid"
        assert "E2E-1" in refused.json()["message"]
    assert payment_of(pending) == ("paid", "service", "E2E-1", True)


def test_a_failed_payment_leaves_the_sale_pending(pending):
    answer = notify({"sale": pending.pk, "status": "failed", "reference": "E2E-9"})

    assert answer.status_code == 200
    assert answer.json()["payment_status"] == "pending"
    assert answer.json()["changed"] is False
    assert payment_of(pending) == ("pending", "", "", False)


def test_the_service_confirming_after_the_attendant_records_its_reference(pending):
    sale_payment_confirm(sale_id=pending.pk, by=Sale.ConfirmedBy.ATTENDANT)

    answer = notify({"sale": pending.pk, "status": "paid", "reference": "E2E-1"})

    assert answer.status_code == 200
    assert payment_of(pending) == ("paid", "attendant", "E2E-1", True)


def test_a_counter_sale_paid_when_made_cannot_be_paid_again(clerk):
    ProductFactory(sku="WAT-001", stock=10)
    sale, _ = sale_create(clerk=clerk, lines=[("WAT-001", 1)], payment="debit")

    answer = notify({"sale": sale.pk, "status": "paid", "reference": "E2E-1"})

    assert answer.status_code == 409
    assert answer.json()["error"] == "already_paid"
    assert payment_of(sale) == ("paid", "", "", False)


def test_a_voided_sale_is_409(pending, manager):
    sale_void(sale_id=pending.pk, user=manager, reason="customer left")

    answer = notify({"sale": pending.pk, "status": "paid", "reference": "E2E-1"})

    assert answer.status_code == 409
    assert answer.json()["error"] == "voided"
    assert payment_of(pending) == ("pending", "", "", False)


def test_an_unknown_sale_is_a_json_404(pending):
    answer = notify({"sale": pending.pk + 1000, "status": "paid", "reference": "X"})

    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"status": "paid", "reference": "E2E-1"}, "sale"),
        ({"sale": "1", "status": "paid", "reference": "E2E-1"}, "sale"),
        ({"sale": 1, "status": "refunded", "reference": "E2E-1"}, "status"),
        ({"sale": 1, "status": "paid"}, "reference"),
        ({"sale": 1, "status": "paid", "reference": ""}, "reference"),
    ],
)
def test_a_signed_but_malformed_body_is_400_naming_the_field(pending, payload, field):
    answer = notify(payload)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"
    assert answer.json()["field"] == field
    assert payment_of(pending) == ("pending", "", "", False)


def test_a_signed_body_that_is_not_json_is_400(pending):
    answer = notify(None, raw=b"sale=1&status=paid")

    assert answer.status_code == 400
    assert answer.json()["error"] == "parse_error"
