"""The back office's admin site: its home page is the manager's dashboard.

Installed as the default admin site (pitstop.apps.BackOfficeAdminConfig), so
every `admin.register` lands here. The numbers come from reports.dashboard;
this module only decides which cards a user may see and shapes the charts."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reports import dashboard as numbers
from reports.charts import bar_chart
from reports.dashboard.lots import lots_expiring
from reports.dashboard.orders import purchase_orders
from reports.dashboard.till import shifts_closed
from sales.selectors import store_midnight

# Each card, and the permission that shows it (what the list behind it needs).
CARDS = {
    "today": "sales.view_sale",  # today so far, and sales by hour
    "days": "sales.view_sale",
    "low": "inventory.view_product",
    "orders": "purchasing.view_purchaseorder",
    "lots": "inventory.view_lot",
    "shifts": "sales.view_shift",
    "reports": "reports.view_report",
    "deliveries": "alerts.view_delivery",  # a line of the reports card
}


class BackOfficeSite(admin.AdminSite):
    site_header = _("Pit Stop back office")
    site_title = "Pit Stop"
    index_title = _("Store management")
    index_template = "admin/dashboard/index.html"

    def login(self, request, extra_context=None):
        """A signed-in user who may not use the admin (a clerk) is sent to the
        sale form rather than shown the admin's login page."""
        if request.user.is_authenticated and not self.has_permission(request):
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().login(request, extra_context)

    def index(self, request, extra_context=None):
        shown = {card for card, perm in CARDS.items() if request.user.has_perm(perm)}
        context = dashboard_context(now=timezone.now(), cards=shown)
        return super().index(request, {**context, **(extra_context or {})})


def dashboard_context(*, now, cards: set[str]) -> dict:
    """The cards in `cards`, each read with its own few queries."""
    context = {"now": now}
    if "today" in cards:
        today = numbers.today(now=now)
        context["today"] = today
        context["hours_chart"] = bar_chart(
            [h.sales for h in today.hours],
            [f"{h.hour}h" for h in today.hours],
            axis_labels=[f"{h.hour}h" if h.hour % 3 == 0 else "" for h in today.hours],
            others=[h.then_sales for h in today.hours],
        )
    if "days" in cards:
        days = numbers.revenue_by_day(now=now)
        context["days"] = days
        context["days_start"] = store_midnight(days[0].day)
        context["days_end"] = store_midnight(days[-1].day + datetime.timedelta(days=1))
        context["days_revenue"] = sum(d.revenue for d in days)
        context["days_refunds"] = sum(d.refunds for d in days)
        context["days_chart"] = bar_chart(
            [d.revenue for d in days],
            [date_format(d.day, "D j M") for d in days],
            # Label every 7th day, ending with yesterday's.
            axis_labels=[
                date_format(d.day, "j M") if (len(days) - 1 - i) % 7 == 0 else ""
                for i, d in enumerate(days)
            ],
        )
    if "low" in cards:
        context["low"] = numbers.low_stock(now=now)
    if "orders" in cards:
        context["orders"] = purchase_orders(now=now)
    if "lots" in cards:
        context["lots"] = lots_expiring(now=now)
    if "shifts" in cards:
        context["shifts"] = shifts_closed(now=now)
    if "reports" in cards:
        context["reports"] = numbers.reports_state(
            now=now, deliveries="deliveries" in cards
        )
    return context
