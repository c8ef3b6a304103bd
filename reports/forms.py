from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Report
from reports.periods import InvalidPeriod, Period, day_period, week_period


class GenerateReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices)
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A day (2026-11-27) or an ISO week (2026-W48)."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if "kind" in data and "period" in data:
            parse = day_period if data["kind"] == "daily" else week_period
            try:
                data["parsed"] = parse(data["period"].strip())
            except InvalidPeriod as exc:
                self.add_error("period", str(exc))
        return data

    @property
    def parsed_period(self) -> Period:
        return self.cleaned_data["parsed"]
