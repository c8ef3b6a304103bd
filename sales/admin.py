from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pitstop.admin import ReadOnlyAdmin
from pitstop.money import money
from sales.exceptions import PaymentNotConfirmable, SaleNotVoidable
from sales.models import (
    AttendantPinFailure,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    Shift,
)
from sales.payments import sale_payment_confirm
from sales.services import sale_void


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    fields = [
        "product",
        "quantity",
        "returned_quantity",
        "unit_price_money",
        "line_total_money",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("unit price"))
    def unit_price_money(self, line: SaleLine) -> str:
        return money(line.unit_price)

    @admin.display(description=gettext_lazy("line total"))
    def line_total_money(self, line: SaleLine) -> str:
        return money(line.line_total)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("Why: shown on the receipt and in the ledger."),
    )


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    """Sales are made by the sale form and the kiosk API; here they are read,
    and voided by a manager with a reason."""

    list_display = [
        "id",
        "created_at",
        "clerk",
        "channel",
        "payment",
        "payment_status",
        "status",
        "total_money",
    ]
    list_filter = [
        "status",
        "payment_status",
        "payment",
        "channel",
        "created_at",
        "clerk",
    ]
    list_select_related = ["clerk"]
    date_hierarchy = "created_at"
    search_fields = ["id", "idempotency_key", "lines__product__sku"]
    inlines = [SaleLineInline]
    actions = ["void_sales", "confirm_payments"]
    fields = [
        "created_at",
        "clerk",
        "channel",
        "status",
        "total_money",
        "payment",
        "payment_status",
        "paid_at",
        "payment_confirmed_by",
        "payment_reference",
        "cash_tendered_money",
        "shift",
        "idempotency_key",
        "voided_at",
        "voided_by",
        "void_reason",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_money(self, sale: Sale) -> str:
        return money(sale.total)

    @admin.display(description=gettext_lazy("cash tendered"))
    def cash_tendered_money(self, sale: Sale) -> str:
        return "" if sale.cash_tendered is None else money(sale.cash_tendered)

    def has_void_permission(self, request):
        return request.user.has_perm("sales.void_sale")

    def has_confirm_payment_permission(self, request):
        # Managers, as for voiding: they stand for the attendant here.
        return request.user.has_perm("sales.void_sale")

    @admin.action(
        description=gettext_lazy("Confirm the payment of the selected sales"),
        permissions=["confirm_payment"],
    )
    def confirm_payments(self, request, queryset):
        """A kiosk's pending sale paid while the kiosk moved on (the customer
        paid at the counter): confirmed as the attendant would."""
        confirmed = 0
        for sale in queryset.filter(payment_status=Sale.PaymentStatus.PENDING):
            try:
                _sale, changed = sale_payment_confirm(
                    sale_id=sale.pk, by=Sale.ConfirmedBy.ATTENDANT
                )
            except PaymentNotConfirmable as exc:
                messages.warning(request, exc.message)
                continue
            confirmed += changed
        messages.success(
            request,
            ngettext(
                "%(count)s sale marked paid.", "%(count)s sales marked paid.", confirmed
            )
            % {"count": confirmed},
        )

    @admin.action(
        description=gettext_lazy("Void the selected sales"), permissions=["void"]
    )
    def void_sales(self, request, queryset):
        form = VoidForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            voided = 0
            for sale in queryset.order_by("pk"):
                try:
                    sale_void(
                        sale_id=sale.pk,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    voided += 1
                except SaleNotVoidable as exc:
                    messages.warning(request, exc.message)
            if voided:
                messages.success(
                    request,
                    ngettext(
                        "Voided %(count)s sale; stock put back.",
                        "Voided %(count)s sales; stock put back.",
                        voided,
                    )
                    % {"count": voided},
                )
            return HttpResponseRedirect(request.get_full_path())
        return render(
            request,
            "admin/sales/sale/void.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Void sales"),
                "form": form,
                "sales": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ["sale_line", "quantity", "unit_price_money", "line_total_money"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("unit price"))
    def unit_price_money(self, line: ReturnLine) -> str:
        return money(line.unit_price)

    @admin.display(description=gettext_lazy("line total"))
    def line_total_money(self, line: ReturnLine) -> str:
        return money(line.line_total)


@admin.register(Return)
class ReturnAdmin(ReadOnlyAdmin):
    """Returns are made from a receipt or the API; here they are read."""

    list_display = [
        "id",
        "created_at",
        "sale",
        "user",
        "approved_by",
        "refund_method",
        "restock",
        "total_money",
    ]
    list_filter = ["refund_method", "restock", "created_at"]
    list_select_related = ["sale", "user", "approved_by"]
    date_hierarchy = "created_at"
    search_fields = ["sale__id", "idempotency_key", "lines__sale_line__product__sku"]
    inlines = [ReturnLineInline]
    fields = [
        "created_at",
        "sale",
        "user",
        "approved_by",
        "refund_method",
        "restock",
        "total_money",
        "shift",
        "reason",
        "idempotency_key",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_money(self, sale_return: Return) -> str:
        return money(sale_return.total)


def _money_or_blank(amount) -> str:
    return "" if amount is None else money(amount)


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    """Clerks open and close their shifts at the counter; managers read the
    cash-ups here, shortfalls first when sorted by difference."""

    list_display = [
        "id",
        "clerk",
        "opened_at",
        "closed_at",
        "float_money",
        "expected_money",
        "counted_money",
        "difference_money",
    ]
    list_filter = ["clerk", "opened_at", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["clerk"]
    date_hierarchy = "opened_at"
    fields = [
        "clerk",
        "opened_at",
        "closed_at",
        "float_money",
        "expected_money",
        "counted_money",
        "difference_money",
        "counted_detail",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("opening float"))
    def float_money(self, shift: Shift) -> str:
        return money(shift.opening_float)

    @admin.display(description=gettext_lazy("cash expected"), ordering="expected_cash")
    def expected_money(self, shift: Shift) -> str:
        return _money_or_blank(shift.expected_cash)

    @admin.display(description=gettext_lazy("cash counted"), ordering="counted_cash")
    def counted_money(self, shift: Shift) -> str:
        return _money_or_blank(shift.counted_cash)

    @admin.display(description=gettext_lazy("difference"), ordering="difference")
    def difference_money(self, shift: Shift) -> str:
        return _money_or_blank(shift.difference)


@admin.register(AttendantPinFailure)
class AttendantPinFailureAdmin(ReadOnlyAdmin):
    """Wrong attendant's PINs typed at kiosks (sales.attendant): five within
    15 minutes lock that kiosk's PIN; deleting them lifts the lock."""

    list_display = ["device", "created_at"]
    list_filter = ["device"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("sales.delete_attendantpinfailure")
