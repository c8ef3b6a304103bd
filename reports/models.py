from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Report(models.Model):
    """One report per (kind, period): re-running replaces its files and row.

    Also its own outbox row (docs/reliability.md): queued or running until
    built, retried on storage errors for an hour, then failed."""

    class Kind(models.TextChoices):
        DAILY = "daily", pgettext_lazy("report", "Daily")
        WEEKLY = "weekly", pgettext_lazy("report", "Weekly")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("report status", "Queued")
        RUNNING = "running", pgettext_lazy("report status", "Running")
        DONE = "done", pgettext_lazy("report status", "Done")
        FAILED = "failed", pgettext_lazy("report status", "Failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period = models.CharField(
        _("period"),
        max_length=10,
        help_text=_("YYYY-MM-DD for a day, YYYY-Www for an ISO week."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(
        _("period end"), help_text=_("The first day after the period.")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    files = models.JSONField(
        _("files"), default=dict, blank=True, help_text=_("File name → storage key.")
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    retry_at = models.DateTimeField(
        _("retry at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Not built by then: the sweep queues it again."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"], name="report_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.WEEKLY:
            return _("Weekly report %(period)s") % {"period": self.period}
        return _("Daily report %(period)s") % {"period": self.period}
