from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pitstop.admin import ReadOnlyAdmin
from pitstop.money import money
from sales.exceptions import SaleNotVoidable
from sales.models import Sale, SaleLine
from sales.services import sale_void


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    fields = ["product", "quantity", "unit_price_money", "line_total_money"]
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

    list_display = ["id", "created_at", "clerk", "channel", "status", "total_money"]
    list_filter = ["status", "channel", "created_at", "clerk"]
    list_select_related = ["clerk"]
    date_hierarchy = "created_at"
    search_fields = ["id", "idempotency_key", "lines__product__sku"]
    inlines = [SaleLineInline]
    actions = ["void_sales"]
    fields = [
        "created_at",
        "clerk",
        "channel",
        "status",
        "total_money",
        "idempotency_key",
        "voided_at",
        "voided_by",
        "void_reason",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_money(self, sale: Sale) -> str:
        return money(sale.total)

    def has_void_permission(self, request):
        return request.user.has_perm("sales.void_sale")

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
