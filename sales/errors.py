"""One mapping from the selling services' exceptions to what the people and
programs asking are told: the clerk's form shows `message`, the kiosk API
answers `body` with `status`. `error` is a code for machines (English);
`message` is read in the active language (the request's)."""

from dataclasses import dataclass

from inventory.exceptions import ExpiredStock, InsufficientStock
from sales.exceptions import (
    AttendantRequired,
    IdempotencyKeyReused,
    InvalidReturn,
    InvalidSale,
    NotInSale,
    OverReturn,
    PriceChanged,
    ReturnKeyReused,
    SaleNotReturnable,
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
RETURN_ERRORS = (InvalidReturn,)  # what sale_return raises for people


def problem_for(exc: Exception) -> Problem:
    """The answer to one of ERRORS or RETURN_ERRORS."""
    if isinstance(exc, OverReturn):
        return Problem(
            409,
            {
                "error": "over_return",
                "sku": exc.sku,
                "returnable": exc.returnable,
                "message": str(exc.message),
            },
        )
    if isinstance(exc, SaleNotReturnable):
        return Problem(409, {"error": "not_returnable", "message": str(exc.message)})
    if isinstance(exc, ReturnKeyReused):
        return Problem(
            409, {"error": "idempotency_key_reused", "message": str(exc.message)}
        )
    if isinstance(exc, NotInSale):
        return Problem(
            400, {"error": "not_in_sale", "sku": exc.sku, "message": str(exc.message)}
        )
    if isinstance(exc, InvalidReturn):
        body = {"error": "invalid", "message": str(exc.message)}
        return Problem(400, body | ({"sku": exc.sku} if exc.sku else {}))
    if isinstance(exc, ExpiredStock):
        return Problem(
            409,
            {
                "error": "expired",
                "sku": exc.sku,
                "available": exc.available,
                "wanted": exc.wanted,
                "message": exc.message,
            },
        )
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
    if isinstance(exc, PriceChanged):
        return Problem(
            409,
            {
                "error": "price_changed",
                "sku": exc.sku,
                "price": str(exc.price),
                "seen": str(exc.seen),
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
