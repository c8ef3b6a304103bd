from django.utils.functional import Promise


class InvalidSale(Exception):
    """A sale that cannot be made as asked; the message says why, for the clerk
    (a lazy translation: the page, the API and a command each read it in their
    own language)."""

    def __init__(self, message: str | Promise, *, sku: str | None = None):
        self.message = message
        self.sku = sku
        super().__init__(message)


class UnknownProduct(InvalidSale):
    """No product on sale has this sku."""


class IdempotencyKeyReused(InvalidSale):
    """The key belongs to another sale: another clerk's, or other lines."""


class AttendantRequired(InvalidSale):
    """A kiosk sale of an age-restricted or attendant-only product without a
    valid attendant's PIN."""


class SaleNotVoidable(Exception):
    def __init__(self, message: str | Promise):
        self.message = message
        super().__init__(message)
