"""What can go wrong with a purchase order; the API and the admin turn these
into messages. `code` is the API's machine-readable "error"."""


class PurchasingError(Exception):
    code = "invalid"

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class OrderStateError(PurchasingError):
    """The order is not in a state that allows this (a draft for send, sent or
    partly received for a receipt…)."""

    code = "invalid_status"


class NoSupplierEmail(PurchasingError):
    code = "no_supplier_email"


class ReceiptRejected(PurchasingError):
    """Bad lines in a receipt: every problem is listed; nothing was booked."""

    code = "invalid_receipt"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class IdempotencyKeyReused(PurchasingError):
    code = "idempotency_key_reused"


class SendFailed(PurchasingError):
    """Storing or mailing the order failed: it is still a draft, to retry."""

    code = "send_failed"
