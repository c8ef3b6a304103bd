from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.exceptions import ImportRejected
from inventory.importing import products_import


class Command(BaseCommand):
    help = (
        "Create or update products from a CSV file (upsert by sku). Columns: "
        "sku,name,price,stock,reorder_point and optionally barcode,category,cost,"
        "par_level,supplier. One bad row rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            summary = products_import(data=data, source=path.name)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path.name} was rejected: {len(exc.errors)} error(s); "
                "nothing was imported."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {summary}"))
