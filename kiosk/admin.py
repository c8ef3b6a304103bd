from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiosk.models import Kiosk
from kiosk.offline import HEARTBEAT_SECONDS
from pitstop.admin import ReadOnlyAdmin

# A kiosk that has not reported for this long is taken as out of reach.
SILENT_AFTER = 3 * HEARTBEAT_SECONDS


class QueuedFilter(admin.SimpleListFilter):
    title = _("sales queued")
    parameter_name = "queued"

    def lookups(self, request, model_admin):
        return [("yes", _("Some")), ("no", _("None"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(queued__gt=0)
        if self.value() == "no":
            return queryset.filter(queued=0)
        return queryset


@admin.register(Kiosk)
class KioskAdmin(ReadOnlyAdmin):
    """The kiosks as they last reported (POST /kiosk/heartbeat/): a manager
    sees which one is out of reach and how many sales it still holds."""

    list_display = [
        "user",
        "reachable",
        "last_seen_at",
        "last_sync_at",
        "queued",
        "oldest_queued_at",
    ]
    list_filter = [QueuedFilter]
    search_fields = ["user__username"]

    @admin.display(boolean=True, description=_("reachable"))
    def reachable(self, kiosk: Kiosk) -> bool:
        silent = (timezone.now() - kiosk.last_seen_at).total_seconds()
        return silent <= SILENT_AFTER
