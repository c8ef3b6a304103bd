from django.utils.translation import gettext


class InsufficientStock(Exception):
    """A change would take a product's stock below zero."""

    def __init__(self, *, sku: str, name: str, available: int, wanted: int):
        self.sku = sku
        self.name = name
        self.available = available
        self.wanted = wanted
        super().__init__(sku, available, wanted)

    @property
    def message(self) -> str:
        """For people, in the active language."""
        return gettext(
            "Not enough stock of %(name)s (%(sku)s): %(available)s available, "
            "%(wanted)s wanted."
        ) % {
            "name": self.name,
            "sku": self.sku,
            "available": self.available,
            "wanted": self.wanted,
        }

    def __str__(self) -> str:
        return self.message


class ImportRejected(Exception):
    """A product file was refused whole; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors)

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)
