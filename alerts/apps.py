from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        # PITSTOP_ALERTS=aws: S3 notifies the deployed Lambda; nothing to do here.
        if settings.PITSTOP_ALERTS == "local":
            from alerts.tasks import alert_object_stored
            from pitstop.signals import object_stored

            object_stored.connect(alert_object_stored, dispatch_uid="alerts-local")
