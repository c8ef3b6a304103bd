from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        default=2, help_text="Days between ordering and delivery."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField("SKU", max_length=32, unique=True)
    barcode = models.CharField(max_length=32, blank=True, default="")
    name = models.CharField(max_length=120)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True
    )
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    # A cached counter: the ledger (StockMovement) is the truth, and only
    # inventory.services changes it, in the same transaction as the ledger row.
    stock = models.IntegerField(default=0)
    reorder_point = models.PositiveIntegerField(
        default=0, help_text="At or below this, the product is low on stock."
    )
    par_level = models.PositiveIntegerField(
        default=0, help_text="A replenishment order brings stock back up to this."
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="product_stock_not_negative",
                violation_error_message="Stock cannot go below zero.",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="product_cost_not_negative",
                violation_error_message="The cost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(par_level__gte=F("reorder_point")),
                name="product_par_level_at_least_reorder_point",
                violation_error_message="The par level cannot be below the "
                "reorder point.",
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="product_barcode_unique_when_set",
                violation_error_message="Another product has this barcode.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_low(self) -> bool:
        return self.stock <= self.reorder_point


class StockMovement(models.Model):
    """One change of a product's stock. Append-only: corrections are new rows."""

    class Reason(models.TextChoices):
        SALE = "sale", "Sale"
        VOID = "void", "Void"
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        IMPORT = "import", "Import"

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="movements"
    )
    delta = models.IntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    ref = models.CharField("reference", max_length=64, blank=True)
    note = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    stock_after = models.IntegerField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delta=0), name="stockmovement_delta_not_zero"
            ),
            models.CheckConstraint(
                condition=Q(stock_after__gte=0),
                name="stockmovement_stock_after_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} {self.delta:+d} ({self.reason})"


class LowStockAlert(models.Model):
    """Opened when stock crosses down to the reorder point, closed when a
    receipt (or any increase) lifts it back above: one alert per crossing."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="low_stock_alerts"
    )
    movement = models.ForeignKey(
        StockMovement,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The stock change that crossed the reorder point.",
    )
    stock_at_open = models.IntegerField()
    reorder_point = models.PositiveIntegerField()
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(closed_at__isnull=True),
                name="lowstockalert_one_open_per_product",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.closed_at is None else "closed"
        return f"Low stock: {self.product.sku} ({state})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
