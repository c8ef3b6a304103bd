import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pitstop.money import money
from purchasing.services import replenish


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Keep one draft purchase order per supplier up to date with what "
            "needs ordering (the replenishment rule); prints one line per draft."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="YYYY-MM-DD: sales velocity over the 28 store days before it "
            "(default: today).",
        )

    def handle(self, *args, date: str | None, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(
                    _("%(date)r is not a date like 2026-11-27.") % {"date": date}
                ) from None
        drafts = replenish(day=day)
        for draft in drafts:
            flag = ""
            if draft.below_minimum:
                flag = " " + _("(below the minimum order of %(minimum)s)") % {
                    "minimum": money(draft.min_order_value)
                }
            # The contract's "PO-<number> <supplier> <n> line(s)", then the total.
            self.stdout.write(
                f"{draft.number} {draft.supplier} {draft.lines} line(s), "
                f"{money(draft.total)}{flag}"
            )
        if not drafts:
            self.stdout.write(_("Nothing needs ordering: no drafts."))
