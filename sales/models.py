from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import Product


class Payment(models.TextChoices):
    """How a sale was paid, and how a return was refunded."""

    CASH = "cash", _("Cash")
    DEBIT = "debit", _("Debit card")
    CREDIT = "credit", _("Credit card")
    PIX = "pix", _("Pix")
    VOUCHER = "voucher", _("Voucher")
    OTHER = "other", pgettext_lazy("payment method", "Other")


class Shift(models.Model):
    """A clerk's turn at the counter: opened with a cash float, closed with the
    cash counted. Expected cash and the difference are kept when it closes."""

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("clerk"),
    )
    opened_at = models.DateTimeField(
        _("opened at"), default=timezone.now, db_index=True
    )
    opening_float = models.DecimalField(
        _("opening float"), max_digits=10, decimal_places=2
    )
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, db_index=True
    )
    counted_cash = models.DecimalField(
        _("cash counted"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The notes and coins counted, {"100.00": 2, "0.50": 3}, when counted so.
    counted_detail = models.JSONField(_("notes and coins"), default=dict, blank=True)
    expected_cash = models.DecimalField(
        _("cash expected"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # counted - expected: negative when the drawer is short.
    difference = models.DecimalField(
        _("difference"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"],
                condition=Q(closed_at__isnull=True),
                name="shift_one_open_per_clerk",
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0), name="shift_float_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(counted_cash__isnull=True) | Q(counted_cash__gte=0),
                name="shift_counted_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (
                    Q(counted_cash__isnull=False)
                    & Q(expected_cash__isnull=False)
                    & Q(difference__isnull=False)
                ),
                name="shift_closed_has_its_count",
            ),
        ]

    def __str__(self) -> str:
        return _("Shift %(number)s (%(clerk)s)") % {
            "number": self.pk,
            "clerk": self.clerk,
        }

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Sale(models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", _("Counter")
        KIOSK = "kiosk", _("Kiosk")

    class Status(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("sale status", "Completed")
        VOIDED = "voided", pgettext_lazy("sale status", "Voided")

    class PaymentStatus(models.TextChoices):
        PAID = "paid", pgettext_lazy("payment status", "Paid")
        PENDING = "pending", pgettext_lazy("payment status", "Pending")

    class ConfirmedBy(models.TextChoices):
        """Who said a kiosk's pending sale was paid (kiosk.payments)."""

        ATTENDANT = "attendant", _("The attendant (PIN)")
        SERVICE = "service", _("The payment service (webhook)")

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sales",
        verbose_name=_("clerk"),
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.COUNTER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COMPLETED
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    payment = models.CharField(
        _("payment method"),
        max_length=16,
        choices=Payment.choices,
        default=Payment.OTHER,
        # Database defaults too: rows written by plain SQL (bulk loads, the
        # benchmarks) get a method and a status without naming them.
        db_default=Payment.OTHER,
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PAID,
        db_default=PaymentStatus.PAID,
    )
    # A kiosk's sale waits, pending, for one of these to confirm its payment.
    paid_at = models.DateTimeField(_("payment confirmed at"), null=True, blank=True)
    payment_confirmed_by = models.CharField(
        _("payment confirmed by"),
        max_length=16,
        choices=ConfirmedBy.choices,
        blank=True,
        db_default="",  # plain SQL inserts (bench) need not name it
    )
    # The payment service's own id for the payment (a Pix end-to-end id…).
    payment_reference = models.CharField(
        _("payment reference"), max_length=100, blank=True, db_default=""
    )
    # What the customer handed over, for a cash sale at the counter.
    cash_tendered = models.DecimalField(
        _("cash tendered"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("shift"),
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, blank=True, default=""
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    void_reason = models.CharField(_("void reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        indexes = [
            # The dashboard's and the reports' sums of completed sales over a
            # span, read from the index alone (docs/performance.md).
            models.Index(
                fields=["created_at", "total"],
                condition=Q(status="completed"),
                name="sale_completed_created_total",
            ),
        ]
        permissions = [
            ("void_sale", _("Can void a sale")),
            ("return_sale", _("Can take back sold units (returns)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="sale_idempotency_key_unique_when_set",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="sale_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cash_tendered__isnull=True)
                | (Q(payment="cash") & Q(cash_tendered__gte=F("total"))),
                name="sale_cash_tendered_covers_total",
            ),
            models.CheckConstraint(
                condition=Q(payment_status="paid")
                | (Q(paid_at__isnull=True) & Q(payment_confirmed_by="")),
                name="sale_pending_is_not_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return _("Sale %(number)s") % {"number": self.pk}

    @property
    def change(self) -> Decimal | None:
        """The change handed back for cash, when the amount tendered was taken."""
        if self.cash_tendered is None:
            return None
        return self.cash_tendered - self.total


class SaleLine(models.Model):
    sale = models.ForeignKey(
        Sale, on_delete=models.CASCADE, related_name="lines", verbose_name=_("sale")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    # The cost at the time of sale, so a report's margin is the margin made.
    unit_cost = models.DecimalField(_("unit cost"), max_digits=10, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)
    # Units taken back by returns; a return locks the sale row to change it.
    returned_quantity = models.PositiveIntegerField(
        _("returned"), default=0, db_default=0
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=999),
                name="saleline_quantity_1_to_999",
            ),
            models.UniqueConstraint(
                fields=["sale", "product"], name="saleline_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("quantity")),
                name="saleline_never_returns_more_than_sold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def returnable(self) -> int:
        return self.quantity - self.returned_quantity


class Return(models.Model):
    """Some units of some lines of one sale, taken back and refunded at the
    price sold; restocked (ledger `return`) or written off (`waste`)."""

    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, related_name="returns", verbose_name=_("sale")
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    # The manager who approved a clerk's return with their password.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    refund_method = models.CharField(
        _("refunded by"), max_length=16, choices=Payment.choices
    )
    restock = models.BooleanField(
        _("restocked"),
        default=True,
        help_text=_("Back on the shelf; otherwise written off."),
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    # The drawer the refund came out of: the open shift of who made it.
    shift = models.ForeignKey(
        Shift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("shift"),
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="return_idempotency_key_unique_when_set",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="return_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return _("Return %(number)s of sale %(sale)s") % {
            "number": self.pk,
            "sale": self.sale_id,
        }


class ReturnLine(models.Model):
    sale_return = models.ForeignKey(
        Return,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("return"),
    )
    sale_line = models.ForeignKey(
        SaleLine,
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("sale line"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="returnline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sale_line.product}"


class AttendantPinFailure(models.Model):
    """A wrong attendant's PIN typed at a kiosk. Too many in a while and the
    kiosk is refused the PIN (sales.attendant), so it cannot be guessed."""

    device = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kiosk"),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("wrong attendant's PIN")
        verbose_name_plural = _("wrong attendant's PINs")
        indexes = [models.Index(fields=["device", "created_at"])]

    def __str__(self) -> str:
        return f"{self.device} {self.created_at:%Y-%m-%d %H:%M:%S}"
