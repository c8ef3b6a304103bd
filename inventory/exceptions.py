class InsufficientStock(Exception):
    """A change would take a product's stock below zero."""

    def __init__(self, *, sku: str, name: str, available: int, wanted: int):
        self.sku = sku
        self.name = name
        self.available = available
        self.wanted = wanted
        super().__init__(
            f"Not enough stock of {name} ({sku}): {available} available, "
            f"{wanted} wanted."
        )


class ImportRejected(Exception):
    """A product file was refused whole; nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the file")
