from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.exceptions import ImportRejected
from inventory.importing import products_import


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str: translated when asked for
        return _(
            "Create or update products from a CSV file (upsert by sku). Columns: "
            "sku,name,price,stock,reorder_point and optionally barcode,category,cost,"
            "par_level,supplier,age_restricted,attendant_only,tracks_expiry (yes/no),"
            "pack_size. One bad row rejects the whole file."
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
            summary = products_import(data=data, source=path.name)
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
