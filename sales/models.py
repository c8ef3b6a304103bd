from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inventory.models import Product


class Sale(models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", "Counter"
        KIOSK = "kiosk", "Kiosk"

    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        VOIDED = "voided", "Voided"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales"
    )
    channel = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.COUNTER
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.COMPLETED
    )
    total = models.DecimalField(max_digits=12, decimal_places=2)
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("void_sale", "Can void a sale")]
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
        return f"Sale {self.pk}"


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    # The cost at the time of sale, so a report's margin is the margin made.
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
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
