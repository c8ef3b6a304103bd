"""Work that leaves the database, made reliable (docs/reliability.md).

A row in the database is the record of what must still happen (a low-stock
alert whose event is not written, a report not built, a stored object not yet
alerted on); the broker only carries the nudge. So:

- `enqueue_on_commit` queues a task after commit and logs a broker error
  instead of raising it: the request that committed is answered as usual.
- `failure_next` is the one retry rule: any storage or network error is
  retried with exponential backoff and jitter for at least RETRY_FOR, then
  the row shows as failed in the admin (with a "try again" action).
- Each row keeps `retry_at`, the time after which the beat sweep (every
  minute) queues it again if no worker has finished it: a lost message, a
  broker that was down, a worker killed mid-task.
"""

import datetime
import logging
import random
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# Disk, network, SMTP (smtplib's errors are OSErrors), and botocore's own,
# which are not OSErrors (EndpointConnectionError, ReadTimeoutError, 5xx…).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
RETRY_FOR = datetime.timedelta(hours=1)
FIRST_DELAY = 5.0  # seconds before the first retry
MAX_DELAY = 600.0  # the longest wait between two tries
# How long a queued or running job may go unfinished before the sweep queues
# it again; a retry's own countdown is added to it.
SWEEP_AFTER = datetime.timedelta(minutes=5)
MAX_RETRIES = 50  # at least 300 s apart after the 8th: far over the hour


def enqueue(task: Any, *args: Any) -> bool:
    """task.delay(*args); False, logged, when the broker refuses it."""
    try:
        task.delay(*args)
    except Exception as exc:  # kombu's OperationalError, DNS, a full disk…
        # Never raised: the row that needs the task is committed, and the
        # sweep queues it again once the broker is back.
        log.warning(
            "could not queue %s%r (%s): the sweep retries", task.name, args, exc
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue task(*args) once the current transaction commits (at once outside
    one); a broker error is logged, never raised into the request."""
    transaction.on_commit(partial(enqueue, task, *args))


def sweep_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """When the sweep may queue again a job queued or started now."""
    return (now or timezone.now()) + SWEEP_AFTER


def retry_delay(attempt: int) -> float:
    """Exponential backoff with "equal jitter": half of the step fixed, half
    random, so retries spread out yet the hour is always covered."""
    step = min(MAX_DELAY, FIRST_DELAY * 2 ** max(attempt - 1, 0))
    return step / 2 + random.uniform(0, step / 2)


def failure_next(
    *,
    attempts: int,
    failing_since: datetime.datetime | None,
    error: BaseException,
    sweep_after: datetime.timedelta = SWEEP_AFTER,
) -> tuple[dict[str, Any], float | None]:
    """After the attempts-th failed try: the row's new error fields, and the
    seconds to wait before the next try, or None once it has failed for
    RETRY_FOR (give up)."""
    now = timezone.now()
    since = failing_since or now
    fields = {
        "error": f"{type(error).__name__}: {error}"[:2000],
        "failing_since": since,
    }
    if now - since >= RETRY_FOR:
        return fields | {"retry_at": None}, None
    delay = retry_delay(attempts)
    at = now + sweep_after + datetime.timedelta(seconds=delay)
    return fields | {"retry_at": at}, delay


def retry_or_give_up(task: Any, exc: BaseException, delay: float | None) -> None:
    """In a bound task's `except`, once the failure is recorded: retry after
    delay seconds, or log that it gave up (delay None)."""
    if delay is None:
        log.error("%s gave up after %s: %s", task.name, RETRY_FOR, exc)
        return
    # The hour, not a count, ends the retries; the cap only stops a runaway.
    raise task.retry(exc=exc, countdown=delay, max_retries=MAX_RETRIES)
