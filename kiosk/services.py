"""What a kiosk reports about itself. Its sales go through sales.services."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from kiosk.models import Kiosk


def kiosk_heartbeat(
    *, user: AbstractBaseUser, queued: int, oldest: datetime.datetime | None
) -> Kiosk:
    """Record that the kiosk is online with `queued` sales still on the device
    (the oldest made at `oldest`); with none queued it is in sync now."""
    now = timezone.now()
    values = {"last_seen_at": now, "queued": queued, "oldest_queued_at": oldest}
    if queued == 0:
        values["last_sync_at"] = now
    kiosk, _ = Kiosk.objects.update_or_create(user=user, defaults=values)
    return kiosk
