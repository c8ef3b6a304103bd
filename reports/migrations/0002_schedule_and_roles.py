"""The beat schedule (editable afterwards in the admin, under Periodic tasks)
and the managers' permissions on reports and on that schedule."""

from django.conf import settings
from django.db import migrations

from pitstop.roles import grant

SCHEDULE = [
    # name, task, minute, hour, day of week (in the store's time zone)
    (
        "Daily report: yesterday, and any day of the last week without one",
        "reports.tasks.reports_daily_due",
        "10",
        "0",
        "*",
    ),
    (
        "Weekly report: last ISO week",
        "reports.tasks.reports_weekly_due",
        "20",
        "0",
        "1",
    ),
]


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day_of_week in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULE]).delete()


def grant_roles(apps, schema_editor):
    grant(apps, "reports")
    grant(apps, "django_celery_beat")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_schedule, remove_schedule),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
