from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pitstop.money import money
from reports.forms import GenerateReportForm
from reports.models import Report
from reports.periods import Period, day_period, week_period
from reports.tasks import report_queue


def _queue(period_kind: str, label: str) -> None:
    make = day_period if period_kind == Report.Kind.DAILY else week_period
    report_queue(make(label))


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["period", "kind", "status", "sales", "revenue", "downloads"]
    list_display += ["generated_at", "duration_ms", "error"]
    list_filter = ["kind", "status"]
    search_fields = ["period"]
    actions = ["generate_again"]
    change_list_template = "admin/reports/report/change_list.html"
    fields = ["kind", "period", "status", "totals", "downloads", "generated_at"]
    fields += ["duration_ms", "attempts", "error", "failing_since", "retry_at"]
    fields += ["updated_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("sales"))
    def sales(self, report: Report):
        return report.totals.get("sales", "—")

    @admin.display(description=gettext_lazy("revenue"))
    def revenue(self, report: Report):
        revenue = report.totals.get("revenue")
        return "—" if revenue is None else money(revenue)

    @admin.display(description=gettext_lazy("files"))
    def downloads(self, report: Report):
        # storage.url: a presigned URL on S3, the managers-only view locally.
        storage = storages["reports"]
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((storage.url(k), n) for n, k in report.files.items()),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=gettext_lazy("Generate the selected reports again"),
        permissions=["change"],
    )
    def generate_again(self, request, queryset):
        for report in queryset:
            _queue(report.kind, report.period)
        count = queryset.count()
        messages.success(
            request,
            ngettext(
                "%(count)s report queued; refresh in a moment.",
                "%(count)s reports queued; refresh in a moment.",
                count,
            )
            % {"count": count},
        )

    def get_urls(self):
        generate = path(
            "generate/",
            self.admin_site.admin_view(self.generate_view),
            name="reports_report_generate",
        )
        return [generate, *super().get_urls()]

    def generate_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = GenerateReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            period: Period = form.parsed_period
            report_queue(period)
            messages.success(
                request,
                format_html(
                    _("The {} report {} is queued."),
                    Report.Kind(period.kind).label.lower(),
                    period.label,
                ),
            )
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return render(
            request,
            "admin/reports/report/generate.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Generate a report now"),
                "form": form,
            },
        )
