"""The customers' self-checkout page, for a device enrolled in the Kiosks
group. The page sells through the kiosk API (POST /api/sales/, channel kiosk);
here are only the page, the catalogue it scans and searches, and the check of
the attendant's PIN."""

import json

from django.contrib.auth.decorators import user_passes_test
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from inventory.models import Product
from inventory.selectors import with_lots
from kiosk.offline import offline_config
from pitstop.money import money_format
from pitstop.roles import KIOSKS
from sales.services import attendant_pin_valid

# Seconds without a touch before the page offers to start over, then the
# countdown before it does.
IDLE_SECONDS = 60
COUNTDOWN_SECONDS = 15


def _is_kiosk(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=KIOSKS).exists()


# Anyone but a kiosk device goes to the login page.
kiosk_required = user_passes_test(_is_kiosk)


@require_GET
@kiosk_required
@ensure_csrf_cookie  # the page's script posts with it (session login)
def kiosk_page(request: HttpRequest) -> HttpResponse:
    # What the script says, in the request's language; %s is a value it fills.
    texts = {
        "not_found": _("No product with the code %s."),
        "no_match": _("Nothing found for “%s”."),
        "bad_pin": _("That PIN is not right. Please try again."),
        "offline": _(
            "The store's server cannot be reached right now. Please call the attendant."
        ),
        "countdown": _("Starting over in %s s."),
        "unsellable": _("%s cannot be sold now. Please call the attendant."),
        "remove": _("Remove"),
        "less": _("One less"),
        "more": _("One more"),
    }
    config = {
        "catalogue": reverse("kiosk:catalogue"),
        "attendant": reverse("kiosk:attendant"),
        "sales": reverse("api-sales"),
        "money": money_format(),
        "idle": IDLE_SECONDS,
        "countdown": COUNTDOWN_SECONDS,
        "texts": texts,
    }
    context = {"config": config, "offline": offline_config()}
    return render(request, "kiosk/kiosk.html", context)


@require_GET
@kiosk_required
def catalogue(request: HttpRequest) -> JsonResponse:
    """What the page scans and searches: the active products, prices as
    decimal strings; `attendant` marks those that need the attendant's PIN,
    `sellable` false a perishable product with no units in date."""
    rows = with_lots(Product.objects.filter(is_active=True)).values_list(
        "sku",
        "barcode",
        "name",
        "price",
        "age_restricted",
        "attendant_only",
        "sellable",
    )
    products = [
        {
            "sku": sku,
            "barcode": barcode,
            "name": name,
            "price": str(price),
            "attendant": age_restricted or attendant_only,
            "sellable": sellable is None or sellable > 0,
        }
        for sku, barcode, name, price, age_restricted, attendant_only, sellable in rows
    ]
    return JsonResponse({"products": products})


@require_POST
@kiosk_required
def attendant(request: HttpRequest) -> HttpResponse:
    """{"pin": "…"}: 204 if it is the attendant's PIN, else 403."""
    try:
        pin = json.loads(request.body).get("pin", "")
    except (ValueError, AttributeError):
        pin = ""
    if isinstance(pin, str) and attendant_pin_valid(pin):
        return HttpResponse(status=204)
    return JsonResponse({"error": "bad_pin"}, status=403)
