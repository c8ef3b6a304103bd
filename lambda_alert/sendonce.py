"""Send once, the same way in both alert modes: claim, send, finish.

1. Claim: write the alert's marker (status "sending") only if there is none,
   a conditional put. A marker that says "sent" or "malformed" means done: stop.
   A "sending" marker is another sender's claim: younger than the lease, it is
   left alone (`ClaimHeld`, try again later); older, that sender died between
   claim and finish, and the claim is taken over with a put conditional on the
   version read, so that of two late senders only one takes it.
2. Send: the caller's `send` (write the order, publish, message). If it
   raises, the claim is removed so that the retry sends at once.
3. Finish: the marker is rewritten as "sent", with what went out. Best effort:
   the alert is out, and a failure here must not make a retry send it again.

Standard library only. The markers live behind `Markers`: S3 for the Lambda
(`lambda_alert.s3store`) and Django's reports storage for local mode
(`alerts.markers`).
"""

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from lambda_alert import decide
from lambda_alert.decide import Alert

log = logging.getLogger(__name__)

# A claim older than this was left by a sender that died (Lambda kills the
# function at the stack's 90 s timeout); ALERT_CLAIM_LEASE_SECONDS overrides it.
LEASE_SECONDS = 120


class Markers(Protocol):
    """Where markers are kept; keys are alerts/sent/... (decide.marker_key)."""

    def create(self, key: str, body: bytes) -> bool:
        """Write key unless it exists; False if it does."""

    def read(self, key: str) -> tuple[bytes, str] | None:
        """The body and a version token for `replace`; None if there is none."""

    def replace(self, key: str, body: bytes, version: str) -> bool:
        """Overwrite key if it is still at version; False if it changed."""

    def put(self, key: str, body: bytes) -> None:
        """Write key, whatever is there."""

    def delete(self, key: str) -> None:
        """Remove key; nothing if it is gone."""


class ClaimHeld(RuntimeError):
    """Another sender claimed this alert less than a lease ago."""

    def __init__(self, marker: str, claimed_at: datetime.datetime | None) -> None:
        when = claimed_at.isoformat() if claimed_at else "just now"
        super().__init__(f"{marker} is being sent by another sender (since {when})")
        self.marker = marker


@dataclass(frozen=True)
class Sent:
    """What went out: the channels, a partial failure, extra marker fields."""

    channels: list[str]
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def now() -> datetime.datetime:
    """The time claims are written and judged by (tests move it on)."""
    return datetime.datetime.now(datetime.UTC)


def send_once(
    markers: Markers,
    marker: str,
    alert: Alert,
    *,
    planned: list[str],
    send: Callable[[], Sent],
    lease: float = LEASE_SECONDS,
) -> dict[str, Any] | None:
    """Send the alert unless its marker says it was; the finished marker's
    record, or None when it was sent (or is being sent: ClaimHeld) before."""
    claim = decide.marker_record(
        source_key=alert.source_key,
        sent_at=now(),
        alert=alert,
        status=decide.SENDING,
        channels=planned,
    )
    if not claim_take(markers, marker, claim, lease=lease):
        log.info("%s was alerted already, skipped", alert.source_key)
        return None
    try:
        sent = send()
    except Exception:
        release(markers, marker)
        raise
    record = (
        decide.marker_record(
            source_key=alert.source_key,
            sent_at=now(),
            alert=alert,
            channels=sent.channels,
            error=sent.error,
        )
        | sent.details
    )
    finish(markers, marker, record)
    return record


def claim_take(
    markers: Markers, marker: str, record: dict[str, Any], *, lease: float
) -> bool:
    """Write the marker unless another has it; False: done already (sent or
    malformed); ClaimHeld: another sender's claim, younger than the lease."""
    body = encode(record)
    if markers.create(marker, body):
        return True
    found = markers.read(marker)
    if found is None:  # released since by a sender whose send failed
        if markers.create(marker, body):
            return True
        raise ClaimHeld(marker, None)
    existing, version = found
    doc = _decoded(existing)
    if doc.get("status") != decide.SENDING:
        return False
    claimed_at = _time(doc.get("sent_at"))
    if claimed_at is not None and now() - claimed_at < datetime.timedelta(
        seconds=lease
    ):
        raise ClaimHeld(marker, claimed_at)
    if not markers.replace(marker, body, version):
        raise ClaimHeld(marker, None)  # another late sender took it just now
    log.warning("took over %s, claimed at %s and never finished", marker, claimed_at)
    return True


def release(markers: Markers, marker: str) -> None:
    """Remove a claim after a failed send, so that the retry sends at once."""
    try:
        markers.delete(marker)
    except Exception:
        # The send's own error is raised; the lease lets a later retry send.
        log.exception("could not remove %s: a retry sends after the lease", marker)


def finish(markers: Markers, marker: str, record: dict[str, Any]) -> None:
    """Record what went out; best effort, the alert is sent."""
    try:
        markers.put(marker, encode(record))
    except Exception:
        log.warning("could not record the outcome in %s", marker, exc_info=True)


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode()


def _decoded(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return {"status": decide.SENDING}  # unreadable: judged as an old claim
    return doc if isinstance(doc, dict) else {"status": decide.SENDING}


def _time(value: object) -> datetime.datetime | None:
    try:
        when = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)
