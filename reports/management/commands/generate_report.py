import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import Report
from reports.periods import InvalidPeriod, Period, day_period, week_of, week_period
from reports.services import FILES, report_build


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Build and store a report now; re-running a period replaces it. "
            "Prints the storage keys written."
        )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily", "weekly"])
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--date", help=_("daily: the store day, YYYY-MM-DD"))
        when.add_argument("--week", help=_("weekly: the ISO week, YYYY-Www"))
        when.add_argument(
            "--since",
            help=_("every period from this date (YYYY-MM-DD) to the last complete one"),
        )

    def handle(self, *args, kind, date, week, since, **options):
        try:
            periods = self._periods(kind, date=date, week=week, since=since)
        except InvalidPeriod as exc:
            raise CommandError(str(exc)) from exc
        for done, period in enumerate(periods, start=1):
            try:
                report = report_build(period=period)
            except Exception as exc:
                raise CommandError(
                    _("The %(kind)s report %(period)s failed: %(error)s")
                    % {
                        "kind": Report.Kind(period.kind).label.lower(),
                        "period": period.label,
                        "error": exc,
                    }
                ) from exc
            if len(periods) > 1:
                self.stderr.write(_progress(done, len(periods), period.label))
            for name in FILES:  # report.files is JSON: PostgreSQL sorts its keys
                self.stdout.write(report.files[name])

    def _periods(self, kind, *, date, week, since) -> list[Period]:
        if (kind == "daily" and week) or (kind == "weekly" and date):
            raise InvalidPeriod(_("Use --date with daily and --week with weekly."))
        if date:
            return [day_period(date)]
        if week:
            return [week_period(week)]
        first = day_period(since).start
        today = timezone.localdate()
        if kind == "daily":
            days = (today - first).days
            return [day_period(first + datetime.timedelta(days=n)) for n in range(days)]
        monday = first - datetime.timedelta(days=first.weekday())
        this_monday = today - datetime.timedelta(days=today.weekday())
        weeks = (this_monday - monday).days // 7
        return [
            week_period(week_of(monday + datetime.timedelta(weeks=n)))
            for n in range(weeks)
        ]


def _progress(done: int, total: int, label: str, width: int = 30) -> str:
    filled = width * done // total
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}"
