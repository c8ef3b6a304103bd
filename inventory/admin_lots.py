"""The admin's lot pieces (docs/perishables.md): the expiry filters of the
lots and products lists, the lots shown on a product's page, and writing
lots off."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory.forms import LotWriteOffForm
from inventory.models import Lot, Product
from inventory.perishables import lot_write_off
from pitstop.clock import store_today
from pitstop.money import money


class ExpiryFilter(admin.SimpleListFilter):
    """Lots holding units that expire soon, or have expired, in the store's
    time zone: "within N days" counts today as the first (2 days: today and
    tomorrow, as the daily report's expiring lots)."""

    title = gettext_lazy("expiry")
    parameter_name = "expiry"
    WITHIN = {"today": 1, "2": 2, "7": 7}

    def lookups(self, request, model_admin):
        return [
            ("expired", _("Expired")),
            ("today", _("Expiring today")),
            ("2", _("Expiring within 2 days")),
            ("7", _("Expiring within 7 days")),
            ("unknown", _("Expiry unknown")),
        ]

    def lots(self) -> Q | None:
        """Which lots the chosen value means (with units left), or None."""
        today = store_today()
        value = self.value()
        if value == "expired":
            return Q(units_left__gt=0, expires_on__lt=today)
        if value in self.WITHIN:
            last = today + datetime.timedelta(days=self.WITHIN[value] - 1)
            return Q(units_left__gt=0, expires_on__gte=today, expires_on__lte=last)
        if value == "unknown":
            return Q(units_left__gt=0, expires_on__isnull=True)
        return None

    def queryset(self, request, queryset):
        lots = self.lots()
        return queryset if lots is None else queryset.filter(lots)


class ProductExpiryFilter(ExpiryFilter):
    """Products with a lot that the chosen value means."""

    def queryset(self, request, queryset):
        lots = self.lots()
        if lots is None:
            return queryset
        return queryset.filter(
            Exists(Lot.objects.filter(lots, product=OuterRef("pk")).order_by())
        )


def lots_table(product: Product) -> str:
    """A tracked product's lots holding units, first-expiring first, as a
    read-only table for its admin page (only the services change lots; a
    form field would be posted back). One query."""
    if not product.pk or not product.tracks_expiry:
        return "—"
    today = store_today()
    lots = product.lots.filter(units_left__gt=0)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                _expiry(lot.expires_on, today),
                lot.units_left,
                lot.units_received,
                lot.ref or "—",
            )
            for lot in lots
        ),
    )
    if not rows:
        return _("No lot holds units.")
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        _("Expires on"),
        _("Units left"),
        _("Units received"),
        _("Reference"),
        rows,
    )


def _expiry(day: datetime.date | None, today: datetime.date) -> str:
    if day is None:
        return _("unknown: date it before it can be sold")
    text = date_format(day, "SHORT_DATE_FORMAT")
    if day < today:
        return _("%(date)s (expired)") % {"date": text}
    return text


class LotWriteOffAdmin:
    """The lots list's "Write off expired / damaged": the action (name it in
    `actions`) and its page, for users who may change lots (managers)."""

    def has_write_off_permission(self, request) -> bool:
        return request.user.has_perm("inventory.change_lot")

    def get_urls(self):
        own = [
            path(
                "write-off/",
                self.admin_site.admin_view(self.write_off_view),
                name="inventory_lot_write_off",
            )
        ]
        return own + super().get_urls()

    @admin.action(
        description=gettext_lazy("Write off expired / damaged"),
        permissions=["write_off"],
    )
    def write_off(self, request, queryset):
        ids = ",".join(
            str(pk)
            for pk in queryset.filter(units_left__gt=0).values_list("pk", flat=True)
        )
        if not ids:
            messages.warning(request, _("Select lots that still hold units."))
            return None
        url = reverse("admin:inventory_lot_write_off")
        return HttpResponseRedirect(f"{url}?ids={ids}")

    def write_off_view(self, request: HttpRequest):
        """Units of some lots written off as waste, at cost, with a reason;
        an error (more than a lot holds) changes nothing."""
        if not self.has_write_off_permission(request):
            raise PermissionDenied
        ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()]
        lots = list(
            Lot.objects.filter(pk__in=ids, units_left__gt=0)
            .select_related("product")
            .order_by("product__name", *Lot._meta.ordering)
        )
        changelist = reverse("admin:inventory_lot_changelist")
        if not lots:
            messages.warning(request, _("Select lots that still hold units."))
            return HttpResponseRedirect(changelist)
        today = store_today()
        form = LotWriteOffForm(request.POST or None, lots=lots, today=today)
        if request.method == "POST" and form.is_valid():
            try:
                moves = lot_write_off(
                    lots=form.units(), reason=form.reason_text(), user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                units = -sum(m.delta for m in moves)
                value = -sum(m.delta * m.unit_cost for m in moves)
                messages.success(
                    request,
                    ngettext(
                        "Written off as waste: %(units)s unit, %(value)s at cost.",
                        "Written off as waste: %(units)s units, %(value)s at cost.",
                        units,
                    )
                    % {"units": units, "value": money(value)},
                )
                return HttpResponseRedirect(changelist)
        return render(
            request,
            "admin/inventory/lot/write_off.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Write off expired / damaged"),
                "form": form,
                "today": today,
            },
        )
