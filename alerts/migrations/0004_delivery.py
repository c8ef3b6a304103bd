"""Local mode's outbox of alerts to send, its sweep each minute, and the
managers' right to see it and try a failed one again."""

from django.db import migrations, models

from pitstop import beat
from pitstop.roles import grant

SWEEP = "Local alerts: send the ones a lost task left (outbox sweep)"


def schedule(apps, schema_editor):
    beat.every_minute(apps, name=SWEEP, task="alerts.tasks.deliveries_sweep")


def unschedule(apps, schema_editor):
    beat.remove(apps, name=SWEEP)


def grant_roles(apps, schema_editor):
    grant(apps, "alerts")


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("alerts", "0003_translated_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        max_length=255, unique=True, verbose_name="stored object"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sent", "Sent"),
                            ("skipped", "Nothing to send"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                (
                    "attempts",
                    models.PositiveIntegerField(
                        default=0, help_text="Failed tries.", verbose_name="attempts"
                    ),
                ),
                (
                    "error",
                    models.TextField(
                        blank=True, help_text="The last failure.", verbose_name="error"
                    ),
                ),
                (
                    "failing_since",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="failing since"
                    ),
                ),
                (
                    "retry_at",
                    models.DateTimeField(
                        blank=True,
                        db_index=True,
                        help_text="Not sent by then: the sweep queues it again.",
                        null=True,
                        verbose_name="retry at",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="updated at"),
                ),
            ],
            options={
                "verbose_name": "alert delivery",
                "verbose_name_plural": "alert deliveries",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
