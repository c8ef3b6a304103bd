from django.db import models


class Report(models.Model):
    """One report per (kind, period): re-running replaces its files and row."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.CharField(
        max_length=10, help_text="YYYY-MM-DD for a day, YYYY-Www for an ISO week."
    )
    period_start = models.DateField()
    period_end = models.DateField(help_text="The first day after the period.")
    status = models.CharField(max_length=8, choices=Status.choices)
    totals = models.JSONField(default=dict, blank=True)
    files = models.JSONField(
        default=dict, blank=True, help_text="File name → storage key."
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"], name="report_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report {self.period}"
