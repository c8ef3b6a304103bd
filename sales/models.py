from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import Product


class Sale(models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", _("Counter")
        KIOSK = "kiosk", _("Kiosk")

    class Status(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("sale status", "Completed")
        VOIDED = "voided", pgettext_lazy("sale status", "Voided")

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
        permissions = [("void_sale", _("Can void a sale"))]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="sale_idempotency_key_unique_when_set",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="sale_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return _("Sale %(number)s") % {"number": self.pk}


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
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"
