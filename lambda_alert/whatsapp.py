"""WhatsApp through Meta's Cloud API: one text message to one number.

Standard library only, no settings of its own: the Lambda passes what its
environment says, local mode what Django's settings say."""

import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from lambda_alert import decide
from lambda_alert.decide import Alert

log = logging.getLogger(__name__)

TIMEOUT = 5  # seconds a number: the alert went out already, don't wait long
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would carry the bearer token to the new address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def webhook_allowed(url: str) -> bool:
    """https://, or http:// to this machine only: the token must not go in clear."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


def post(url: str, token: str, alert: Alert, to: str) -> bool:
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
        with _OPENER.open(request, timeout=TIMEOUT) as response:
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


def _masked(number: str) -> str:
    return f"…{number[-4:]}"
