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
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    note = models.CharField(
        _("note"),
        max_length=255,
        blank=True,
        help_text=_("Printed on the order for the supplier."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        help_text=_("Empty when replenish drafted it."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sending_since = models.DateTimeField(
        _("being sent since"),
        null=True,
        blank=True,
        help_text=_("Claimed by a send that is storing and e-mailing it."),
    )
    expected_on = models.DateField(
        _("expected on"),
        null=True,
        blank=True,
        help_text=_("Sent date plus the supplier's lead time."),
    )
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("Received in full, closed short or cancelled."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_short = models.BooleanField(
        _("closed short"),
        default=False,
        help_text=_("Closed with units still missing."),
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
                violation_error_message=_("This supplier already has a draft order."),
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
        PurchaseOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("purchase order"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="purchase_lines",
        verbose_name=_("product"),
    )
    ordered = models.PositiveIntegerField(_("ordered"))
    received = models.PositiveIntegerField(_("received"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["product__sku"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"],
                name="purchaseorderline_one_per_product",
                violation_error_message=_("This product is already on the order."),
            ),
            models.CheckConstraint(
                condition=Q(ordered__gte=1),
                name="purchaseorderline_ordered_at_least_1",
                violation_error_message=_("Order at least 1 unit."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="purchaseorderline_unit_cost_not_negative",
                violation_error_message=_("The unit cost cannot be negative."),
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
        PurchaseOrder,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("purchase order"),
    )
    # [{"sku": "…", "qty": n}, …] as received, sorted by sku.
    lines = models.JSONField(_("lines"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, blank=True, default=""
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
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
        return _("Receipt %(id)s of %(number)s") % {
            "id": self.pk,
            "number": self.order.number,
        }


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
        verbose_name=_("product"),
    )
    units = models.IntegerField(_("units on order"))

    class Meta:
        managed = False
        verbose_name = _("units on order")
        verbose_name_plural = _("units on order")
        db_table = "purchasing_onorder"

    def __str__(self) -> str:
        return _("%(units)s on order") % {"units": self.units}
