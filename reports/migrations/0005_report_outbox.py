"""Reports keep when their build is due again (the outbox sweep, each minute)
and since when they fail."""

from django.db import migrations, models

from pitstop import beat

SWEEP = "Reports: build the ones a lost task left (outbox sweep)"


def schedule(apps, schema_editor):
    beat.every_minute(apps, name=SWEEP, task="reports.tasks.reports_sweep")


def unschedule(apps, schema_editor):
    beat.remove(apps, name=SWEEP)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("reports", "0004_login_lock_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="failing_since",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="failing since"
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="retry_at",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                help_text="Not built by then: the sweep queues it again.",
                null=True,
                verbose_name="retry at",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                max_length=8,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(schedule, unschedule),
    ]
