"""The store's calendar: a store day runs midnight to midnight in its time zone."""

import datetime

from django.utils import timezone


def store_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a store day: midnight in the store's time zone."""
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=timezone.get_default_timezone()
    )


def store_today() -> datetime.date:
    """Today in the store's time zone, whatever zone a request activated."""
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())
