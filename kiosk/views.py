"""The customers' self-checkout page, for a device enrolled in the Kiosks
group. The page sells through the kiosk API (POST /api/sales/, channel kiosk);
here are only the page, the catalogue it scans and searches, and the check of
the attendant's PIN."""

import json
import math

from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from inventory.models import Product
from inventory.selectors import with_lots
from kiosk.offline import offline_config
from kiosk.payments import AttendantProvider
from pitstop.money import money_format
from pitstop.roles import KIOSKS
from sales.attendant import attendant_pin_check
from sales.exceptions import AttendantLocked, BadPin, PaymentNotConfirmable
from sales.models import Sale
from sales.payments import sale_payment_confirm
from sales.pix import qr_svg_data_uri, sale_pix_code

RECEIPT_SALT = "kiosk.receipt"

# Seconds without a touch before the page offers to start over, then the
# countdown before it does.
IDLE_SECONDS = 60
COUNTDOWN_SECONDS = 15
# How often a receipt waiting for its payment asks whether it came.
POLL_MS = 2000


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
        # The payment (pay.js)
        "pending": _("Payment pending"),
        "paid": _("Paid. Thank you!"),
        "terminal": _("Pay at the card terminal, then call the attendant to confirm."),
        "cash": _("Please call the attendant to pay in cash."),
        # The camera (camera.js)
        "no_camera": _(
            "The camera cannot be used here. Please scan at the scanner, "
            "or type the product's name."
        ),
        "camera_denied": _(
            "The camera was not allowed. Please scan at the scanner, "
            "or type the product's name."
        ),
    }
    config = {
        "catalogue": reverse("kiosk:catalogue"),
        "attendant": reverse("kiosk:attendant"),
        "sales": reverse("api-sales"),
        # A sale's addresses, with 0 for its number (pay.js fills it in).
        "sale": reverse("api-sale", args=[0]),
        "sale_paid": reverse("kiosk:sale-paid", args=[0]),
        "sale_receipt": reverse("kiosk:sale-receipt", args=[0]),
        "poll_ms": POLL_MS,
        "money": money_format(),
        "idle": IDLE_SECONDS,
        "countdown": COUNTDOWN_SECONDS,
        "texts": texts,
    }
    # Pix is offered when the store has a key to be paid to.
    pix = bool(settings.PITSTOP_PIX_KEY)
    context = {"config": config, "offline": offline_config(), "pix": pix}
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


def _pin(request: HttpRequest) -> str:
    try:
        pin = json.loads(request.body).get("pin", "")
    except (ValueError, AttributeError):
        return ""
    return pin if isinstance(pin, str) else ""


def _pin_refused(request: HttpRequest) -> JsonResponse | None:
    """None if the body's PIN is the attendant's at this kiosk; else the
    answer: 403 bad_pin (with the tries left), or 429 locked after too many
    wrong PINs lately (sales.attendant's throttle)."""
    try:
        attendant_pin_check(device=request.user, pin=_pin(request))
    except BadPin as exc:
        return JsonResponse({"error": "bad_pin", "left": exc.left}, status=403)
    except AttendantLocked as exc:
        minutes = max(1, math.ceil((exc.until - timezone.now()).total_seconds() / 60))
        return JsonResponse(
            {"error": "locked", "minutes": minutes, "message": locked_text(minutes)},
            status=429,
        )
    return None


def locked_text(minutes: int) -> str:
    return ngettext(
        "Too many wrong PINs: try again in %(minutes)s minute.",
        "Too many wrong PINs: try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


@require_POST
@kiosk_required
def attendant(request: HttpRequest) -> HttpResponse:
    """{"pin": "…"}: 204 if it is the attendant's PIN, else 403 (429 when
    this kiosk typed too many wrong ones lately)."""
    return _pin_refused(request) or HttpResponse(status=204)


def _own_sale(request: HttpRequest, pk: int) -> Sale:
    """This kiosk's sale; another's is not found."""
    return get_object_or_404(Sale, pk=pk, clerk=request.user)


@require_POST
@kiosk_required
def sale_paid(request: HttpRequest, pk: int) -> JsonResponse:
    """{"pin"}: the attendant confirms that this kiosk's sale was paid (at
    the terminal, in cash, or a Pix they saw arrive). 200 with the payment
    status; a wrong PIN 403 or 429 as for /kiosk/attendant/."""
    sale = _own_sale(request, pk)
    if refused := _pin_refused(request):
        return refused
    try:
        sale, _changed = sale_payment_confirm(
            sale_id=sale.pk, by=AttendantProvider.confirmed_by
        )
    except PaymentNotConfirmable as exc:
        return JsonResponse(
            {"error": exc.code, "message": str(exc.message)}, status=409
        )
    return JsonResponse({"id": sale.pk, "payment_status": sale.payment_status})


@require_GET
@kiosk_required
def sale_receipt_link(request: HttpRequest, pk: int) -> JsonResponse:
    """The link to this kiosk's sale's receipt page, and its QR code (an SVG
    data: URI) for the customer's phone."""
    sale = _own_sale(request, pk)
    url = request.build_absolute_uri(receipt_path(sale))
    return JsonResponse({"url": url, "qr": qr_svg_data_uri(url)})


def receipt_path(sale: Sale) -> str:
    """The receipt page's address: signed, so only who was given it (the
    kiosk's screen, its QR) can open it; a sale number alone opens nothing."""
    token = signing.Signer(salt=RECEIPT_SALT).sign(str(sale.pk))
    return reverse("kiosk:receipt", args=[token])


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """A kiosk sale's receipt, for whoever holds its signed link (no login):
    lines, total, the payment and whether it is paid yet."""
    try:
        pk = int(signing.Signer(salt=RECEIPT_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    sale = get_object_or_404(
        Sale.objects.prefetch_related("lines__product"),
        pk=pk,
        channel=Sale.Channel.KIOSK,
    )
    pix = (
        sale_pix_code(sale)
        if sale.payment_status == Sale.PaymentStatus.PENDING
        else None
    )
    context = {"sale": sale, "pix": pix, "pix_qr": qr_svg_data_uri(pix) if pix else ""}
    return render(request, "kiosk/receipt.html", context)
