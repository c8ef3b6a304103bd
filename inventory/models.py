from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=2,
        help_text=_("Days between ordering and delivery."),
    )
    min_order_value = models.DecimalField(
        _("minimum order"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "The smallest order the supplier delivers; a draft below it is "
            "flagged, not sent."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


# "Low on stock" for a query; Product.is_low says the same of a loaded product.
IS_LOW = Q(stock__lte=F("reorder_point"))


class Product(models.Model):
    sku = models.CharField("SKU", max_length=32, unique=True)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True, default="")
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("supplier"),
    )
    price = models.DecimalField(
        _("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        _("cost"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # A cached counter: the ledger (StockMovement) is the truth, and only
    # inventory.services changes it, in the same transaction as the ledger row.
    stock = models.IntegerField(_("stock"), default=0)
    reorder_point = models.PositiveIntegerField(
        _("reorder point"),
        default=0,
        help_text=_("At or below this, the product is low on stock."),
    )
    par_level = models.PositiveIntegerField(
        _("par level"),
        default=0,
        help_text=_("A replenishment order brings stock back up to this."),
    )
    pack_size = models.PositiveIntegerField(
        _("pack size"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Units per case the supplier sells; orders are rounded up to it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The kiosk stops at these until an attendant unlocks them with the PIN.
    age_restricted = models.BooleanField(
        _("age restricted"),
        default=False,
        help_text=_("Alcohol, tobacco: a customer must show ID to an attendant."),
    )
    attendant_only = models.BooleanField(
        _("attendant only"),
        default=False,
        help_text=_("Sold at the kiosk only with an attendant's PIN."),
    )
    # Switched only through inventory.services.product_tracking_set, which
    # keeps the lots in step with the stock (docs/perishables.md).
    tracks_expiry = models.BooleanField(
        _("tracks expiry"),
        default=False,
        help_text=_(
            "Perishable: stock lives in lots with an expiry date, sold "
            "first-expiring-first-out; expired units cannot be sold."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="product_stock_not_negative",
                violation_error_message=_("Stock cannot go below zero."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="product_cost_not_negative",
                violation_error_message=_("The cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(par_level__gte=F("reorder_point")),
                name="product_par_level_at_least_reorder_point",
                violation_error_message=_(
                    "The par level cannot be below the reorder point."
                ),
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1),
                name="product_pack_size_at_least_1",
                violation_error_message=_("The pack size is at least 1."),
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="product_barcode_unique_when_set",
                violation_error_message=_("Another product has this barcode."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_low(self) -> bool:
        """At or below the reorder point; IS_LOW says the same to a query."""
        return self.stock <= self.reorder_point


class StockMovement(models.Model):
    """One change of a product's stock. Append-only: corrections are new rows."""

    class Reason(models.TextChoices):
        SALE = "sale", pgettext_lazy("stock movement reason", "Sale")
        VOID = "void", pgettext_lazy("stock movement reason", "Void")
        RECEIPT = "receipt", pgettext_lazy("stock movement reason", "Receipt")
        ADJUSTMENT = "adjustment", pgettext_lazy("stock movement reason", "Adjustment")
        IMPORT = "import", pgettext_lazy("stock movement reason", "Import")
        RETURN = "return", pgettext_lazy("stock movement reason", "Return")
        WASTE = "waste", pgettext_lazy("stock movement reason", "Waste")

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("product"),
    )
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    ref = models.CharField(_("reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    stock_after = models.IntegerField(_("stock after"))
    # The product's cost when the row was written: waste is valued at it.
    # NULL on rows written before it was kept.
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            # A product's movements by time, carrying what the replenishment
            # rule and the dashboard sum (delta, reason): PostgreSQL reads a
            # window's demand from the index alone, never visiting the table,
            # whose rows lie in time order, not by product.
            models.Index(
                fields=["product", "created_at"],
                include=["delta", "reason"],
                name="stockmovement_product_time",
            )
        ]
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
        return f"{self.product.sku} {self.delta:+d} ({self.get_reason_display()})"


class Lot(models.Model):
    """Units of a product that expire on one date (docs/perishables.md).

    Only inventory.services changes a lot, under its product's row lock and in
    the same transaction as the counter and the ledger: for a product that
    tracks expiry, stock = the sum of its lots' units_left, and each lot's
    units_left = the sum of its LotMovements."""

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="lots",
        verbose_name=_("product"),
    )
    # NULL: expiry unknown (stock found when tracking was switched on, or a
    # stocktake's surplus): not sellable until a manager dates it.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    units_received = models.PositiveIntegerField(_("units received"))
    units_left = models.IntegerField(_("units left"))
    ref = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        help_text=_("Where the units came from: a delivery, a purchase order, …"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        # First-expiring-first-out; undated lots last.
        ordering = [F("expires_on").asc(nulls_last=True), "pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        indexes = [models.Index(fields=["product", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(units_left__gte=0),
                name="lot_units_left_not_negative",
                violation_error_message=_("A lot cannot hold fewer than 0 units."),
            ),
            models.CheckConstraint(
                condition=Q(units_left__lte=F("units_received")),
                name="lot_units_left_at_most_received",
                violation_error_message=_(
                    "A lot cannot hold more units than it received."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.expires_on is None:
            return _("%(sku)s, expiry unknown") % {"sku": self.product.sku}
        return _("%(sku)s, expires %(date)s") % {
            "sku": self.product.sku,
            "date": date_format(self.expires_on, "SHORT_DATE_FORMAT"),
        }


class LotMovement(models.Model):
    """The units one ledger row took from or gave to one lot. Append-only.

    movement is NULL only when tracking was switched on (the opening of an
    "expiry unknown" lot holding the stock) or off (the lots emptied)."""

    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="moves", verbose_name=_("lot")
    )
    movement = models.ForeignKey(
        StockMovement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lot_moves",
        verbose_name=_("stock movement"),
    )
    units = models.IntegerField(_("units"))

    class Meta:
        verbose_name = _("lot movement")
        verbose_name_plural = _("lot movements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(units=0), name="lotmovement_units_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.units:+d}"


class LowStockAlert(models.Model):
    """Opened when stock crosses down to the reorder point, closed when a
    receipt (or any increase) lifts it back above: one alert per crossing.

    Also the outbox of its low-stock event (docs/reliability.md): pending until
    the event object is written, retried until then, failed after an hour."""

    class EventState(models.TextChoices):
        PENDING = "pending", pgettext_lazy("event state", "Pending")
        WRITTEN = "written", pgettext_lazy("event state", "Written")
        SKIPPED = "skipped", _("Closed before written")
        FAILED = "failed", pgettext_lazy("event state", "Failed")

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="low_stock_alerts",
        verbose_name=_("product"),
    )
    movement = models.ForeignKey(
        StockMovement,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("stock movement"),
        help_text=_("The stock change that crossed the reorder point."),
    )
    stock_at_open = models.IntegerField(_("stock when opened"))
    reorder_point = models.PositiveIntegerField(_("reorder point"))
    opened_at = models.DateTimeField(
        _("opened at"), default=timezone.now, db_index=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    event_state = models.CharField(
        _("event"),
        max_length=8,
        choices=EventState.choices,
        default=EventState.PENDING,
    )
    event_key = models.CharField(_("event key"), max_length=255, blank=True)
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Failed tries to write the event.")
    )
    error = models.TextField(_("error"), blank=True, help_text=_("The last failure."))
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    retry_at = models.DateTimeField(
        _("retry at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Not written by then: the sweep queues it again."),
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("low stock alert")
        verbose_name_plural = _("low stock alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(closed_at__isnull=True),
                name="lowstockalert_one_open_per_product",
            ),
        ]

    def __str__(self) -> str:
        if self.closed_at is None:
            return _("Low stock: %(sku)s (open)") % {"sku": self.product.sku}
        return _("Low stock: %(sku)s (closed)") % {"sku": self.product.sku}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
