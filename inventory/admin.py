from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory.admin_lots import (
    ExpiryFilter,
    LotWriteOffAdmin,
    ProductExpiryFilter,
    lots_table,
)
from inventory.exceptions import ImportRejected
from inventory.forms import (
    LotDateForm,
    ProductForm,
    ProductImportForm,
    ReceiptForm,
    StocktakeForm,
)
from inventory.importing import products_export, products_import
from inventory.low_stock import low_stock_events_retry
from inventory.models import (
    IS_LOW,
    Category,
    Lot,
    LowStockAlert,
    Product,
    StockMovement,
    Supplier,
)
from inventory.perishables import lot_date, product_tracking_set
from inventory.selectors import COVER_PLACES, with_replenishment
from inventory.services import stock_count, stock_receive
from inventory.tasks import low_stock_event_write_task
from pitstop import csvsafe
from pitstop.admin import ReadOnlyAdmin
from pitstop.money import money
from pitstop.outbox import enqueue_on_commit


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


class LowStockFilter(admin.SimpleListFilter):
    title = gettext_lazy("stock level")
    parameter_name = "stock_level"

    def lookups(self, request, model_admin):
        return [
            ("low", _("Low (at or below reorder point)")),
            ("ok", _("Above reorder point")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(IS_LOW)
        if self.value() == "ok":
            return queryset.exclude(IS_LOW)
        return queryset


class ProductChangeList(ChangeList):
    """The product list, with the replenishment rule's numbers for the page
    shown (one query for the page, whatever the catalogue's size)."""

    def get_results(self, request):
        super().get_results(request)
        page = {p.pk: p for p in self.result_list}
        rule = with_replenishment(Product.objects.filter(pk__in=page))
        for pk, on_order, cover in rule.values_list("pk", "on_order", "days_of_cover"):
            page[pk].on_order, page[pk].days_of_cover = on_order, cover


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "lead_time_days", "min_order_value"]
    search_fields = ["name", "email"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = [
        "sku",
        "name",
        "category",
        "supplier",
        "price_money",
        "stock",
        "reorder_point",
        "par_level",
        "low_stock",
        "days_of_cover",
        "on_order",
        "is_active",
    ]
    list_select_related = ["category", "supplier"]
    list_filter = [LowStockFilter, "is_active", "category", "supplier"]
    list_filter += ["age_restricted", "attendant_only", ProductExpiryFilter]
    search_fields = ["sku", "barcode", "name"]
    autocomplete_fields = ["category", "supplier"]
    readonly_fields = ["stock", "lots_in_stock", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["sku", "barcode", "name", "category", "supplier"]}),
        (gettext_lazy("Money"), {"fields": ["price", "cost"]}),
        (
            gettext_lazy("Stock"),
            {
                "fields": [
                    "stock",
                    "reorder_point",
                    "par_level",
                    "pack_size",
                    "is_active",
                    "lots_in_stock",
                ]
            },
        ),
        (
            gettext_lazy("Kiosk"),
            {"fields": ["age_restricted", "attendant_only"]},
        ),
        (gettext_lazy("Perishable"), {"fields": ["tracks_expiry"]}),
        (gettext_lazy("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["receive_goods", "take_stock", "export_csv"]
    change_list_template = "admin/inventory/product/change_list.html"

    @admin.display(description=gettext_lazy("price"), ordering="price")
    def price_money(self, product: Product) -> str:
        return money(product.price)

    @admin.display(boolean=True, description=gettext_lazy("low"))
    def low_stock(self, product: Product) -> bool:
        return product.is_low

    @admin.display(description=gettext_lazy("lots in stock"))
    def lots_in_stock(self, product: Product) -> str:
        return lots_table(product)

    @admin.display(description=gettext_lazy("days of cover"))
    def days_of_cover(self, product: Product):
        cover = product.days_of_cover
        return "—" if cover is None else number_format(cover.quantize(COVER_PLACES))

    @admin.display(description=gettext_lazy("on order"))
    def on_order(self, product: Product) -> int:
        return product.on_order

    def get_changelist(self, request, **kwargs):
        return ProductChangeList

    def save_model(self, request, obj, form, change):
        """A new product is saved whole (no stock yet). An edit writes every
        field but the stock (the services' alone: a sale may have changed it
        since the page was read) and tracks_expiry, which its service
        switches, putting the stock in an "expiry unknown" lot."""
        if not change:
            return super().save_model(request, obj, form, change)
        kept = {"id", "stock", "tracks_expiry", "created_at"}
        obj.save(
            update_fields=[
                f.name for f in Product._meta.concrete_fields if f.name not in kept
            ]
        )
        if "tracks_expiry" in form.changed_data:
            product = product_tracking_set(product_id=obj.pk, tracks=obj.tracks_expiry)
            if product.tracks_expiry and product.stock:
                messages.warning(
                    request,
                    _(
                        "The %(stock)s units of %(name)s in stock are in a lot "
                        "whose expiry is unknown: date it (Lots) before they can "
                        "be sold."
                    )
                    % {"stock": product.stock, "name": product.name},
                )

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="inventory_product_import",
            ),
            path(
                "receive/",
                self.admin_site.admin_view(self.receive_view),
                name="inventory_product_receive",
            ),
            path(
                "stocktake/",
                self.admin_site.admin_view(self.stocktake_view),
                name="inventory_product_stocktake",
            ),
        ]
        return own + super().get_urls()

    # -- actions: the stock changes happen on their own pages ----------------

    @admin.action(description=gettext_lazy("Receive goods for the selected products"))
    def receive_goods(self, request, queryset):
        return self._to_stock_page("admin:inventory_product_receive", queryset)

    @admin.action(description=gettext_lazy("Stocktake the selected products"))
    def take_stock(self, request, queryset):
        return self._to_stock_page("admin:inventory_product_stocktake", queryset)

    @admin.action(description=gettext_lazy("Export the selected products to CSV"))
    def export_csv(self, request, queryset):
        writer = csvsafe.writer(_Echo())
        rows = products_export(
            queryset.select_related("category", "supplier").order_by("sku")
        )
        return StreamingHttpResponse(
            (writer.writerow(row) for row in rows),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="products.csv"'},
        )

    def _to_stock_page(self, url_name, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse(url_name)}?ids={ids}")

    # -- pages ---------------------------------------------------------------

    def import_view(self, request: HttpRequest):
        if not self.has_change_permission(request) or not self.has_add_permission(
            request
        ):
            raise PermissionDenied
        errors: list[str] = []
        form = ProductImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = products_import(
                    data=upload.read(), source=upload.name, user=request.user
                )
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, f"{upload.name}: {summary}.")
                return HttpResponseRedirect(
                    reverse("admin:inventory_product_changelist")
                )
        return render(
            request,
            "admin/inventory/product/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Import products"),
                "form": form,
                "errors": errors,
            },
        )

    def receive_view(self, request: HttpRequest):
        return self._stock_view(
            request,
            form_class=ReceiptForm,
            title=_("Receive goods"),
            apply=lambda form: stock_receive(
                supplier=form.cleaned_data["supplier"],
                quantities=form.quantities(),
                reference=form.cleaned_data["reference"],
                user=request.user,
                expires_on=form.expiry_dates(),
                allow_past_expiry=form.cleaned_data["allow_past_expiry"],
            ),
            done=lambda n: (
                ngettext(
                    "Received %(count)s product.", "Received %(count)s products.", n
                )
                % {"count": n}
            ),
        )

    def stocktake_view(self, request: HttpRequest):
        return self._stock_view(
            request,
            form_class=StocktakeForm,
            title=_("Stocktake"),
            apply=lambda form: stock_count(
                counts=form.quantities(),
                note=form.cleaned_data["note"],
                user=request.user,
            ),
            done=lambda n: (
                ngettext(
                    "Stocktake booked: %(count)s product adjusted.",
                    "Stocktake booked: %(count)s products adjusted.",
                    n,
                )
                % {"count": n}
            ),
        )

    def _stock_view(self, request, *, form_class, title, apply, done):
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()]
        products = list(
            with_replenishment(Product.objects.filter(pk__in=ids)).order_by("name")
        )
        changelist = reverse("admin:inventory_product_changelist")
        if not products:
            messages.warning(request, _("Select at least one product first."))
            return HttpResponseRedirect(changelist)
        form = form_class(request.POST or None, products=products)
        if request.method == "POST" and form.is_valid():
            try:
                moves = apply(form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, done(len(moves)))
                return HttpResponseRedirect(changelist)
        return render(
            request,
            "admin/inventory/product/stock_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "form": form,
            },
        )


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The ledger: read-only, changed only by the services."""

    list_display = ["created_at", "product", "delta", "stock_after", "reason", "ref"]
    list_display += ["user"]
    list_filter = ["reason", "created_at"]
    list_select_related = ["product", "user"]
    search_fields = ["product__sku", "product__name", "ref"]
    date_hierarchy = "created_at"


@admin.register(Lot)
class LotAdmin(LotWriteOffAdmin, ReadOnlyAdmin):
    """A perishable product's lots, first-expiring first; only the services
    change them (docs/perishables.md)."""

    list_display = ["product", "expires_on", "units_left", "units_received", "ref"]
    list_display += ["created_at"]
    list_select_related = ["product"]
    list_filter = [ExpiryFilter]
    search_fields = ["product__sku", "product__name", "ref"]
    date_hierarchy = "expires_on"
    actions = ["date_lot", "write_off"]

    def has_date_permission(self, request) -> bool:
        return request.user.has_perm("inventory.change_lot")

    def get_urls(self):
        own = [
            path(
                "<int:lot_id>/date/",
                self.admin_site.admin_view(self.date_view),
                name="inventory_lot_date",
            )
        ]
        return own + super().get_urls()

    @admin.action(
        description=gettext_lazy("Date the selected lot (expiry unknown)"),
        permissions=["date"],
    )
    def date_lot(self, request, queryset):
        lots = list(queryset.filter(expires_on__isnull=True, units_left__gt=0)[:2])
        if len(lots) != 1:
            messages.warning(
                request, _("Select one lot whose expiry is unknown, with units.")
            )
            return None
        return HttpResponseRedirect(
            reverse("admin:inventory_lot_date", args=[lots[0].pk])
        )

    def date_view(self, request: HttpRequest, lot_id: int):
        """Give an "expiry unknown" lot's units their dates; until then they
        cannot be sold."""
        if not self.has_date_permission(request):
            raise PermissionDenied
        lot = get_object_or_404(Lot.objects.select_related("product"), pk=lot_id)
        changelist = reverse("admin:inventory_lot_changelist")
        form = LotDateForm(request.POST or None, lot=lot)
        if request.method == "POST" and form.is_valid():
            try:
                lot_date(
                    lot_id=lot.pk,
                    parts=form.parts(),
                    allow_past_expiry=form.cleaned_data["allow_past_expiry"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The %(units)s units of %(name)s are dated.")
                    % {"units": lot.units_left, "name": lot.product.name},
                )
                return HttpResponseRedirect(changelist)
        return render(
            request,
            "admin/inventory/product/stock_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Date %(lot)s: %(units)s units")
                % {"lot": lot, "units": lot.units_left},
                "form": form,
            },
        )


@admin.register(LowStockAlert)
class LowStockAlertAdmin(ReadOnlyAdmin):
    """Opened by a sale (or any decrease) crossing the reorder point; closed
    when stock goes back above it. Read-only."""

    list_display = ["product", "current_stock", "reorder_point", "stock_at_open"]
    list_display += ["opened_at", "closed_at", "event_state", "attempts", "error"]
    list_filter = [
        ("closed_at", admin.EmptyFieldListFilter),
        "event_state",
        "opened_at",
    ]
    list_select_related = ["product"]
    search_fields = ["product__sku", "product__name"]
    actions = ["try_again"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("inventory.change_lowstockalert")

    @admin.action(
        description=gettext_lazy("Try again to write the event"),
        permissions=["retry"],
    )
    def try_again(self, request, queryset):
        ids = low_stock_events_retry(
            alert_ids=list(queryset.values_list("pk", flat=True))
        )
        for alert_id in ids:
            enqueue_on_commit(low_stock_event_write_task, alert_id)
        messages.success(
            request,
            ngettext(
                "%(count)d failed event queued again.",
                "%(count)d failed events queued again.",
                len(ids),
            )
            % {"count": len(ids)},
        )

    @admin.display(description=gettext_lazy("stock now"), ordering="product__stock")
    def current_stock(self, alert: LowStockAlert) -> int:
        return alert.product.stock
