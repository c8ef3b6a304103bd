import datetime

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pitstop.admin import ReadOnlyAdmin
from pitstop.money import money
from purchasing.exceptions import PurchasingError, ReceiptRejected
from purchasing.forms import ReceiveForm
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
from purchasing.selectors import late_orders, order_detail, orders_with_totals
from purchasing.services import (
    order_cancel,
    order_close_short,
    order_receive,
    order_send,
)

Status = PurchaseOrder.Status


class LineInline(admin.TabularInline):
    """Editable while the order is a draft; a record afterwards."""

    model = PurchaseOrderLine
    extra = 0
    autocomplete_fields = ["product"]
    fields = ["product", "ordered", "unit_cost", "received"]
    readonly_fields = ["received"]

    def _is_draft(self, obj) -> bool:
        """A draft not claimed by a send (its lines are being mailed)."""
        return obj is None or (obj.status == Status.DRAFT and not obj.sending_since)

    def has_add_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_delete_permission(request, obj)


class ReceiptInline(admin.TabularInline):
    model = Receipt
    extra = 0
    fields = ["received_at", "received_by", "lines", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LateFilter(admin.SimpleListFilter):
    """Orders late on a day (ISO date): sent or partly received, expected
    before it. The sidebar offers today; the dashboard links its own day."""

    title = _("late")
    parameter_name = "late_on"

    def lookups(self, request, model_admin):
        return [(timezone.localdate().isoformat(), _("Late against the expected date"))]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            day = datetime.date.fromisoformat(self.value())
        except ValueError as bad:
            raise IncorrectLookupParameters(bad) from bad
        return queryset.filter(pk__in=late_orders(day=day).values("pk"))


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    """Drafts come from `replenish` (or a manager); Send e-mails the order to
    the supplier; deliveries are booked on the receiving page."""

    list_display = ["number_display", "supplier", "status", "line_count"]
    list_display += ["total_display", "minimum", "expected_on", "sent_at"]
    list_filter = ["status", LateFilter, "supplier"]
    search_fields = ["=id", "supplier__name"]
    autocomplete_fields = ["supplier"]
    inlines = [LineInline, ReceiptInline]
    actions = ["send_orders", "cancel_orders", "close_orders_short"]
    change_form_template = "admin/purchasing/purchaseorder/change_form.html"
    readonly_fields = ["status", "created_at", "created_by", "sent_at", "sent_by"]
    readonly_fields += ["sending_since", "expected_on", "closed_at", "closed_by"]
    readonly_fields += ["closed_short"]

    def get_queryset(self, request):
        return orders_with_totals(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # An order's supplier is fixed once it exists; the note until sent.
            fixed = ["supplier"] + ([] if obj.status == Status.DRAFT else ["note"])
            return [*fixed, *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("order"), ordering="pk")
    def number_display(self, order: PurchaseOrder) -> str:
        return order.number

    @admin.display(description=_("lines"))
    def line_count(self, order: PurchaseOrder) -> int:
        return order.line_count

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order: PurchaseOrder) -> str:
        return money(order.total)

    @admin.display(description=_("minimum order"))
    def minimum(self, order: PurchaseOrder) -> str:
        minimum = order.supplier.min_order_value
        if order.status == Status.DRAFT and order.total < minimum:
            return _("below %(minimum)s: not to send") % {"minimum": money(minimum)}
        return money(minimum) if minimum else "—"

    # -- actions and buttons, each one service call --------------------------

    @admin.action(description=_("Send the selected drafts to their suppliers"))
    def send_orders(self, request, queryset):
        self._each(request, queryset, order_send, _("%(number)s sent to %(supplier)s."))

    @admin.action(description=_("Cancel the selected orders"))
    def cancel_orders(self, request, queryset):
        self._each(request, queryset, order_cancel, _("%(number)s cancelled."))

    @admin.action(description=_("Close the selected orders short"))
    def close_orders_short(self, request, queryset):
        self._each(request, queryset, order_close_short, _("%(number)s closed short."))

    def _each(self, request, queryset, service, done) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        for order in queryset.order_by("pk"):
            try:
                order = service(order_id=order.pk, user=request.user)
            except PurchasingError as exc:
                messages.error(request, exc.message)
            else:
                names = {"number": order.number, "supplier": order.supplier.name}
                messages.success(request, done % names)

    def get_urls(self):
        def view(fn, name):
            return path(
                f"<int:order_id>/{name}/",
                self.admin_site.admin_view(fn),
                name=f"purchasing_purchaseorder_{name.replace('-', '_')}",
            )

        own = [
            view(self.receive_view, "receive"),
            view(
                self.button_view(order_send, _("%(number)s sent to %(supplier)s.")),
                "send",
            ),
            view(self.button_view(order_cancel, _("%(number)s cancelled.")), "cancel"),
            view(
                self.button_view(order_close_short, _("%(number)s closed short.")),
                "close-short",
            ),
        ]
        return own + super().get_urls()

    def button_view(self, service, done):
        def view(request: HttpRequest, order_id: int):
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            queryset = PurchaseOrder.objects.filter(pk=order_id)
            self._each(request, queryset, service, done)
            return HttpResponseRedirect(
                reverse("admin:purchasing_purchaseorder_change", args=[order_id])
            )

        return view

    def receive_view(self, request: HttpRequest, order_id: int):
        """What arrived, typed or scanned: partial and over-deliveries (with a
        note) allowed, a product not ordered only with "add to order"."""
        if not request.user.has_perm("purchasing.add_receipt"):
            raise PermissionDenied
        get_object_or_404(PurchaseOrder, pk=order_id)
        order = order_detail(order_id)
        change = reverse("admin:purchasing_purchaseorder_change", args=[order_id])
        if not order.is_open:
            messages.error(
                request,
                _("%(number)s is %(status)s: nothing can be received against it.")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return HttpResponseRedirect(change)
        form = ReceiveForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order, _created = order_receive(
                    order_id=order.pk,
                    lines=data["lines"],
                    user=request.user,
                    note=data["note"],
                    idempotency_key=data["idempotency_key"],
                    add_to_order=data["add_to_order"],
                    allow_past_expiry=data["allow_past_expiry"],
                )
            except ReceiptRejected as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            except PurchasingError as exc:
                form.add_error(None, exc.message)
            else:
                units = sum(qty for _sku, qty, _expiry in data["lines"])
                messages.success(
                    request,
                    _("%(units)d unit(s) received on %(number)s: now %(status)s.")
                    % {
                        "units": units,
                        "number": order.number,
                        "status": order.get_status_display().lower(),
                    },
                )
                return HttpResponseRedirect(change)
        return render(
            request,
            "admin/purchasing/purchaseorder/receive.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Receive %(number)s") % {"number": order.number},
                "order": order,
                "form": form,
            },
        )


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "order", "received_by", "note"]
    list_select_related = ["order__supplier", "received_by"]
    search_fields = ["order__id", "note"]
