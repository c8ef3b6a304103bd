"""The seam a payment service plugs into (docs/payments.md).

A kiosk's sale is created pending. Two kinds of provider confirm it, both
through sales.payments.sale_payment_confirm:

- `AttendantProvider`, the default: the attendant looks at the terminal (or
  the store's Pix statement) and types the PIN on the kiosk. It takes no
  webhook: every notification is refused.
- `SignedWebhookProvider`: a payment service posts
  {"sale", "status", "reference"} to /api/payments/webhook/ signed with
  `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under
  PITSTOP_PAYMENT_WEBHOOK_SECRET. The attendant can still confirm.

`payment_provider()` picks the webhook provider when the secret is set;
unset, the webhook answers 403 to everything (fail closed)."""

import hashlib
import hmac
from collections.abc import Mapping
from typing import Protocol

from django.conf import settings

from sales.models import Sale

SIGNATURE_HEADER = "X-Signature"
SIGNATURE_PREFIX = "sha256="


class PaymentProvider(Protocol):
    """Who confirms payments, and how a notification from it is trusted."""

    # What the sale records as having confirmed it.
    confirmed_by: Sale.ConfirmedBy

    def authentic(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether a notification (the raw body and its headers) is the
        provider's own. Called before the body is even parsed."""
        ...


class AttendantProvider:
    """Payments confirmed by the attendant's PIN at the kiosk; no webhook."""

    confirmed_by = Sale.ConfirmedBy.ATTENDANT

    def authentic(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        return False


class SignedWebhookProvider:
    """A payment service that signs its notifications with a shared secret."""

    confirmed_by = Sale.ConfirmedBy.SERVICE

    def __init__(self, secret: str):
        if not secret:
            raise ValueError("A signed webhook needs a secret.")
        self._secret = secret.encode()

    def signature(self, body: bytes) -> str:
        """The header value the service sends with body."""
        digest = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        return SIGNATURE_PREFIX + digest

    def authentic(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        given = headers.get(SIGNATURE_HEADER, "")
        # Constant time: the comparison tells nothing of how much matched.
        return hmac.compare_digest(given.encode(), self.signature(body).encode())


def payment_provider() -> PaymentProvider:
    secret = settings.PITSTOP_PAYMENT_WEBHOOK_SECRET
    return SignedWebhookProvider(secret) if secret else AttendantProvider()
