from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kiosk(models.Model):
    """A self-checkout device as it last reported itself (POST
    /kiosk/heartbeat/): one row per user of the Kiosks group, made by its
    first report. Its sales are on the server; this is only how many it
    still holds, queued while it could not reach us."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kiosk",
        verbose_name=_("kiosk user"),
    )
    last_seen_at = models.DateTimeField(_("last seen"))
    # The last report with nothing queued: every sale the kiosk made before
    # then is on the server.
    last_sync_at = models.DateTimeField(_("last in sync"), null=True, blank=True)
    queued = models.PositiveIntegerField(_("sales queued"), default=0)
    oldest_queued_at = models.DateTimeField(
        _("oldest queued sale"), null=True, blank=True
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        constraints = [
            models.CheckConstraint(
                condition=Q(queued=0, oldest_queued_at__isnull=True)
                | Q(queued__gt=0, oldest_queued_at__isnull=False),
                name="kiosk_oldest_queued_iff_queued",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)
