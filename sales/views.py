"""The clerk's pages: the sale form, the receipt, today's sales.

The cart lives in the session (a JSON dict sku -> quantity, in scan order, and
the idempotency key made when it was started), so it survives a reload and any
web process can serve the next request. Selling is sales.services.sale_create.
"""

import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inventory.models import Product
from pitstop.roles import KIOSKS
from sales.errors import ERRORS, problem_for
from sales.exceptions import IdempotencyKeyReused
from sales.forms import ScanForm
from sales.models import Sale
from sales.selectors import sales_of_day
from sales.services import sale_create

CART = "sale_cart"
CART_KEY = "sale_cart_key"
# The key and id of the clerk's last finished sale: a second "Finish" of the
# same cart (double click, resent form) lands on its receipt.
LAST_SALE = "sale_last"


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    product: Product | None  # None: no longer on sale since it was scanned

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity if self.product else Decimal(0)


def _cart(request: HttpRequest) -> dict[str, int]:
    return dict(request.session.get(CART, {}))


def _cart_save(request: HttpRequest, cart: dict[str, int]) -> None:
    if not cart:
        request.session.pop(CART, None)
        request.session.pop(CART_KEY, None)
        return
    request.session[CART] = cart
    request.session.setdefault(CART_KEY, uuid.uuid4().hex)


def _cart_lines(cart: dict[str, int]) -> list[CartLine]:
    products = {p.sku: p for p in Product.objects.filter(sku__in=cart, is_active=True)}
    return [CartLine(sku, qty, products.get(sku)) for sku, qty in cart.items()]


def _sale_page(
    request: HttpRequest,
    *,
    form: ScanForm | None = None,
    error: str = "",
) -> HttpResponse:
    lines = _cart_lines(_cart(request))
    return render(
        request,
        "sales/sale_form.html",
        {
            "form": form or ScanForm(cart={}),
            "error": error,
            "lines": lines,
            "total": sum((line.line_total for line in lines), Decimal(0)),
            "cart_key": request.session.get(CART_KEY, ""),
        },
    )


def counter_only(view):
    """A kiosk device (it may sell) goes to its own page: the counter's asks
    for no attendant's PIN."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.groups.filter(name=KIOSKS).exists():
            return redirect("kiosk:page")
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@counter_only
@permission_required("sales.add_sale", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sale_new(request: HttpRequest) -> HttpResponse:
    """Show the cart; POST action=scan (the default: Enter in the scan box),
    remove or finish. Successful changes redirect, so a reload never repeats
    them."""
    if request.method == "GET":
        return _sale_page(request)
    action = request.POST.get("action", "scan")
    if action == "remove":
        return _remove(request)
    if action == "finish":
        return _finish(request)
    return _scan(request)


def _scan(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    form = ScanForm(request.POST, cart=cart)
    if not form.is_valid():
        return _sale_page(request, form=form)
    sku = form.cleaned_data["code"].sku
    cart[sku] = cart.get(sku, 0) + form.cleaned_data["quantity"]
    _cart_save(request, cart)
    return redirect("sales:new")


def _remove(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    cart.pop(request.POST.get("sku", ""), None)
    _cart_save(request, cart)
    return redirect("sales:new")


def _finish(request: HttpRequest) -> HttpResponse:
    posted_key = request.POST.get("key", "")
    last = request.session.get(LAST_SALE) or {}
    if posted_key and posted_key == last.get("key"):
        return redirect("sales:receipt", pk=last["id"])
    cart = _cart(request)
    key = request.session.get(CART_KEY, "")
    if not cart:
        return _sale_page(request, error=_("The sale is empty: scan a product first."))
    if posted_key != key:
        # The page was older than the cart (another tab changed it).
        return _sale_page(
            request,
            error=_(
                "This sale changed in another window: check the lines and finish again."
            ),
        )
    try:
        sale, _created = sale_create(
            clerk=request.user,
            lines=list(cart.items()),
            channel=Sale.Channel.COUNTER,
            idempotency_key=key,
        )
    except IdempotencyKeyReused:
        # The key was sold with other lines (a scan raced the finish): give
        # the cart a fresh key so that the clerk can sell what is on screen.
        request.session[CART_KEY] = uuid.uuid4().hex
        return _sale_page(
            request,
            error=_(
                "Part of this sale was already sold (see today's sales): "
                "check the lines and finish again."
            ),
        )
    except ERRORS as exc:
        return _sale_page(request, error=problem_for(exc).message)
    _cart_save(request, {})
    request.session[LAST_SALE] = {"key": key, "id": sale.pk}
    return redirect("sales:receipt", pk=sale.pk)


@login_required
@permission_required("sales.view_sale", raise_exception=True)
@require_GET
def sale_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable receipt. Clerks see their own sales, managers any."""
    sales = Sale.objects.select_related("clerk", "voided_by").prefetch_related(
        "lines__product"
    )
    if not request.user.has_perm("sales.void_sale"):
        sales = sales.filter(clerk=request.user)
    return render(
        request, "sales/receipt.html", {"sale": get_object_or_404(sales, pk=pk)}
    )


@login_required
@permission_required("sales.view_sale", raise_exception=True)
@require_GET
def sales_today(request: HttpRequest) -> HttpResponse:
    """The logged-in clerk's sales of the store day, voided ones apart."""
    day = timezone.localdate()
    sales = list(sales_of_day(clerk=request.user, day=day))
    completed = [s for s in sales if s.status == Sale.Status.COMPLETED]
    return render(
        request,
        "sales/today.html",
        {
            "day": day,
            "sales": sales,
            "count": len(completed),
            "total": sum((s.total for s in completed), Decimal(0)),
        },
    )
