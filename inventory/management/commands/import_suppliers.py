from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.exceptions import ImportRejected
from inventory.suppliers_import import suppliers_import


class Command(BaseCommand):
    help = (
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
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            summary = suppliers_import(data=data)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path.name} was rejected: {len(exc.errors)} error(s); "
                "nothing was imported."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary}"))
