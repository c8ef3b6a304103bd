"""What the page's offline script (kiosk/static/kiosk/offline.js) needs to
know: where to sync and report, its limits, its texts."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

# How often the page fetches the catalogue again (the service worker keeps
# the last one for when the server cannot be reached), syncs what it queued,
# and tells the server how many sales it still holds.
CATALOGUE_REFRESH_SECONDS = 180
SYNC_SECONDS = 20
HEARTBEAT_SECONDS = 60


def offline_config() -> dict:
    """The page's offline script's settings and texts (request's language)."""
    return {
        "sales": reverse("api-sales"),
        "attendant": reverse("kiosk:attendant"),
        "heartbeat": reverse("kiosk:heartbeat"),
        "worker": reverse("kiosk:worker"),
        "max_sales": settings.PITSTOP_KIOSK_OFFLINE_MAX_SALES,
        "max_minutes": settings.PITSTOP_KIOSK_OFFLINE_MAX_MINUTES,
        "catalogue_refresh": CATALOGUE_REFRESH_SECONDS,
        "sync_every": SYNC_SECONDS,
        "heartbeat_every": HEARTBEAT_SECONDS,
        "texts": {
            "queued": _(
                "No connection to the store's server: %s sale(s) kept on this "
                "kiosk, to be sent when it is back."
            ),
            "limit": _(
                "This kiosk has been without the store's server for too long. "
                "Please call the attendant."
            ),
            "refused": _("%s sale(s) made offline need the attendant."),
            "sale": _("Offline sale %s"),
            "bad_pin": _("That PIN is not right. Please try again."),
            "no_server": _("The store's server cannot be reached right now."),
        },
    }
