"""Report periods: a store day, or an ISO week, in the store's time zone."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from sales.selectors import store_midnight

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidPeriod(ValueError):
    """A period that is not a real date or week, or that has not begun."""


@dataclass(frozen=True)
class Period:
    kind: str  # Report.Kind value
    label: str  # "2026-11-27" or "2026-W48": the storage folder and the row
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From midnight of the first day to midnight after the last, local."""
        return store_midnight(self.start), store_midnight(self.end)

    @property
    def prefix(self) -> str:
        return f"reports/{self.kind}/{self.label}/"


def day_period(day: datetime.date | str) -> Period:
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            raise InvalidPeriod(
                _("%(day)r is not a date like 2026-11-27.") % {"day": day}
            ) from None
    if day > timezone.localdate():
        raise InvalidPeriod(_("%(day)s is in the future.") % {"day": day})
    return Period("daily", day.isoformat(), day, day + datetime.timedelta(days=1))


def week_period(week: str) -> Period:
    match = WEEK.match(week)
    try:
        start = datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except (TypeError, ValueError):
        raise InvalidPeriod(
            _("%(week)r is not an ISO week like 2026-W48.") % {"week": week}
        ) from None
    if start > timezone.localdate():
        raise InvalidPeriod(_("%(week)s has not begun yet.") % {"week": week})
    return Period("weekly", week, start, start + datetime.timedelta(days=7))


def week_of(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
