from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, Supplier

PREFIX = "PO-"


class PurchaseOrder(models.Model):
    """An order to one supplier: draft → sent → partial → received, or cancelled.
    `replenish` keeps at most one draft per supplier (a database constraint)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PARTIAL = "partial", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    note = models.CharField(
        max_length=255, blank=True, help_text="Printed on the order for the supplier."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when `replenish` drafted it.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sending_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Claimed by a send that is storing and e-mailing it.",
    )
    expected_on = models.DateField(
        null=True, blank=True, help_text="Sent date plus the supplier's lead time."
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Received in full, closed short or cancelled."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_short = models.BooleanField(
        default=False, help_text="Closed with units still missing."
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"],
                condition=Q(status="draft"),
                name="purchaseorder_one_draft_per_supplier",
                violation_error_message="This supplier already has a draft order.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.supplier.name}"

    @property
    def number(self) -> str:
        return f"{PREFIX}{self.pk}"

    @property
    def is_open(self) -> bool:
        """Goods may still arrive against it."""
        return self.status in (self.Status.SENT, self.Status.PARTIAL)


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    # inventory.selectors reads on_order through this related name.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="purchase_lines"
    )
    ordered = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["product__sku"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"],
                name="purchaseorderline_one_per_product",
                violation_error_message="This product is already on the order.",
            ),
            models.CheckConstraint(
                condition=Q(ordered__gte=1),
                name="purchaseorderline_ordered_at_least_1",
                violation_error_message="Order at least 1 unit.",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="purchaseorderline_unit_cost_not_negative",
                violation_error_message="The unit cost cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ordered} x {self.product}"

    @property
    def missing(self) -> int:
        return max(self.ordered - self.received, 0)

    @property
    def line_total(self):
        return self.ordered * self.unit_cost


class Receipt(models.Model):
    """One delivery against an order; its stock is booked in the ledger as
    `receipt` movements with ref PO-<n>."""

    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="receipts"
    )
    # [{"sku": "…", "qty": n}, …] as received, sorted by sku.
    lines = models.JSONField()
    note = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="receipt_idempotency_key_unique_when_set",
            ),
        ]

    def __str__(self) -> str:
        return f"Receipt {self.pk} of {self.order.number}"


class OnOrder(models.Model):
    """Units on the way per product: ordered - received (never below 0) over
    the lines of orders sent or partly received. A database view (migration
    0003), read by inventory.selectors through the related name
    `on_order_row`: one row per product, so joining it multiplies nothing."""

    product = models.OneToOneField(
        Product,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="on_order_row",
    )
    units = models.IntegerField()

    class Meta:
        managed = False
        db_table = "purchasing_onorder"

    def __str__(self) -> str:
        return f"{self.units} on order"
