"""Beat entries made by data migrations (editable afterwards in the admin,
under Periodic tasks)."""


def every_minute(apps, *, name: str, task: str) -> None:
    """A periodic task that runs each minute (the outbox sweeps)."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "interval": interval, "enabled": True}
    )


def remove(apps, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=name
    ).delete()
