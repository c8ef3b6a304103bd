"""The Celery app: settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pitstop.settings")

app = Celery("pitstop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _broker_folders(sender: Celery, **kwargs) -> None:
    """kombu's filesystem broker needs its folders: made on first use of the
    app (a worker starting, a task sent), never when settings are imported."""
    options = sender.conf.broker_transport_options or {}
    for name in ("data_folder_in", "control_folder"):
        if name in options:
            os.makedirs(options[name], exist_ok=True)
