"""One mapping from the selling services' exceptions to what the people and
programs asking are told: the clerk's form shows `message`, the kiosk API
answers `body` with `status`. `error` is a code for machines (English);
`message` is read in the active language (the request's)."""

from dataclasses import dataclass

from inventory.exceptions import InsufficientStock
from sales.exceptions import (
    AttendantRequired,
    IdempotencyKeyReused,
    InvalidSale,
    UnknownProduct,
)


@dataclass(frozen=True)
class Problem:
    status: int  # the API's HTTP status
    body: dict  # the API's JSON: {"error": code, "message": …, …}

    @property
    def message(self) -> str:
        return self.body["message"]


ERRORS = (InsufficientStock, InvalidSale)  # what sale_create raises for people


def problem_for(exc: Exception) -> Problem:
    """The answer to one of ERRORS."""
    if isinstance(exc, InsufficientStock):
        return Problem(
            409,
            {
                "error": "insufficient_stock",
                "sku": exc.sku,
                "available": exc.available,
                "wanted": exc.wanted,
                "message": exc.message,
            },
        )
    if isinstance(exc, IdempotencyKeyReused):
        return Problem(
            409, {"error": "idempotency_key_reused", "message": str(exc.message)}
        )
    if isinstance(exc, AttendantRequired):
        return Problem(
            409,
            {
                "error": "attendant_required",
                "sku": exc.sku,
                "message": str(exc.message),
            },
        )
    if isinstance(exc, UnknownProduct):
        return Problem(
            400,
            {"error": "unknown_product", "sku": exc.sku, "message": str(exc.message)},
        )
    if isinstance(exc, InvalidSale):
        body = {"error": "invalid", "message": str(exc.message)}
        return Problem(400, body | ({"sku": exc.sku} if exc.sku else {}))
    raise TypeError(f"no answer for {exc!r}")
