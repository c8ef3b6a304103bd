"""The kiosk page as a PWA that sells offline: its web app manifest, its
service worker, and the heartbeat by which a kiosk reports the sales it still
holds (docs/kiosk.md)."""

import datetime
import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kiosk.services import kiosk_heartbeat
from kiosk.views import kiosk_required

# Bounds of a heartbeat: far above any queue the limits allow.
MAX_QUEUED = 100_000
# The static files of the app shell: everything under kiosk/ but the worker.
SHELL_PREFIX = "kiosk/"
WORKER_SOURCE = "kiosk/sw.js"


def _shell() -> list[tuple[str, bytes]]:
    """(static path, content) of the app shell's files, in a stable order."""
    found: dict[str, bytes] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            path = path.replace("\\", "/")
            if path.startswith(SHELL_PREFIX) and path != WORKER_SOURCE:
                with storage.open(path) as f:
                    found.setdefault(path, f.read())
    return sorted(found.items())


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest. No login: browsers fetch it without cookies."""
    data = {
        "name": _("Pit Stop self-checkout"),
        "short_name": _("Self-checkout"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("kiosk:page"),
        "scope": reverse("kiosk:page"),
        "display": "fullscreen",
        "orientation": "any",
        "background_color": "#f4f5f7",
        "theme_color": "#1d2330",
        "icons": [
            {
                "src": static("kiosk/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            }
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@never_cache  # the browser must see a new shell as soon as it is deployed
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /kiosk/ so that its scope is the
    page's. Its cache is named after a hash of the shell's files: a release
    that changes one installs a new worker, which drops the old cache. No
    login: it holds nothing but static paths, and the browser must be able
    to check for an update whatever the session."""
    shell = _shell()
    digest = hashlib.sha256()
    source = Path(finders.find(WORKER_SOURCE)).read_bytes()
    digest.update(source)
    for path, content in shell:
        digest.update(path.encode() + b"\0" + content)
    setup = {
        "version": digest.hexdigest()[:16],
        "page": reverse("kiosk:page"),
        "catalogue": reverse("kiosk:catalogue"),
        "shell": [static(path) for path, _content in shell],
    }
    body = f"self.KIOSK = {json.dumps(setup)};\n".encode() + source
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


def _heartbeat_input(body: bytes) -> tuple[int, datetime.datetime | None]:
    """{"queued": n, "oldest": ISO 8601 or null}, checked; ValueError says why."""
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError(_("The body must be JSON.")) from None
    if not isinstance(data, dict):
        raise ValueError(_("The body must be a JSON object."))
    queued, oldest = data.get("queued"), data.get("oldest")
    if isinstance(queued, bool) or not isinstance(queued, int):
        raise ValueError(_("queued must be a whole number."))
    if not 0 <= queued <= MAX_QUEUED:
        raise ValueError(
            _("queued must be from 0 to %(max)s.") % {"max": f"{MAX_QUEUED}"}
        )
    if queued == 0:
        if oldest is not None:
            raise ValueError(_("oldest must be null when nothing is queued."))
        return 0, None
    try:
        when = parse_datetime(oldest) if isinstance(oldest, str) else None
    except ValueError:  # well formed, but no such date
        when = None
    if when is None or when.tzinfo is None:
        raise ValueError(
            _(
                "oldest must be the time of the oldest queued sale, ISO 8601 "
                "with a zone."
            )
        )
    return queued, when


@require_POST
@kiosk_required
def heartbeat(request: HttpRequest) -> HttpResponse:
    """A kiosk, online, says how many sales it still holds: 204, or 400."""
    try:
        queued, oldest = _heartbeat_input(request.body)
    except ValueError as exc:
        return JsonResponse({"error": "invalid", "message": str(exc)}, status=400)
    kiosk_heartbeat(user=request.user, queued=queued, oldest=oldest)
    return HttpResponse(status=204)
