from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.exceptions import ImportRejected
from inventory.suppliers_import import suppliers_import


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Create or update suppliers from a CSV file (upsert by name). Columns: "
            "name and optionally email,phone,lead_time_days,min_order_value. One bad "
            "row rejects the whole file."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror}
            ) from exc
        try:
            summary = suppliers_import(data=data)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            count = len(exc.errors)
            raise CommandError(
                ngettext(
                    "%(file)s was rejected: %(count)s error; nothing was imported.",
                    "%(file)s was rejected: %(count)s errors; nothing was imported.",
                    count,
                )
                % {"file": path.name, "count": count}
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary}"))
