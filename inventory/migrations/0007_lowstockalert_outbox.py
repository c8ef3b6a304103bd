"""Low-stock alerts become the outbox of their event (docs/reliability.md):
alerts opened before this were written by then; the sweep runs each minute;
managers may try a failed event again."""

from django.db import migrations, models

from pitstop import beat
from pitstop.roles import grant

SWEEP = "Low-stock events: write the ones a lost task left (outbox sweep)"


def earlier_alerts_written(apps, schema_editor):
    LowStockAlert = apps.get_model("inventory", "LowStockAlert")
    LowStockAlert.objects.update(event_state="written")


def schedule(apps, schema_editor):
    beat.every_minute(apps, name=SWEEP, task="inventory.tasks.low_stock_events_sweep")


def unschedule(apps, schema_editor):
    beat.remove(apps, name=SWEEP)


def grant_roles(apps, schema_editor):
    grant(apps, "inventory")


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0006_kiosk_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="lowstockalert",
            name="attempts",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Failed tries to write the event.",
                verbose_name="attempts",
            ),
        ),
        migrations.AddField(
            model_name="lowstockalert",
            name="error",
            field=models.TextField(
                blank=True, help_text="The last failure.", verbose_name="error"
            ),
        ),
        migrations.AddField(
            model_name="lowstockalert",
            name="event_key",
            field=models.CharField(
                blank=True, max_length=255, verbose_name="event key"
            ),
        ),
        migrations.AddField(
            model_name="lowstockalert",
            name="event_state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("written", "Written"),
                    ("skipped", "Closed before written"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=8,
                verbose_name="event",
            ),
        ),
        migrations.AddField(
            model_name="lowstockalert",
            name="failing_since",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="failing since"
            ),
        ),
        migrations.AddField(
            model_name="lowstockalert",
            name="retry_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="Not written by then: the sweep queues it again.",
                null=True,
                verbose_name="retry at",
            ),
        ),
        migrations.RunPython(earlier_alerts_written, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
