"""The clerk's pages: the sale form, the receipt, today's sales, the shift
(open, close) and returns from a receipt.

The cart lives in the session (a JSON dict sku -> quantity, in scan order, and
the idempotency key made when it was started), so it survives a reload and any
web process can serve the next request. Selling is sales.services.sale_create.
"""

import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inventory.models import Product
from pitstop.roles import KIOSKS
from sales.errors import ERRORS, problem_for
from sales.exceptions import IdempotencyKeyReused, InvalidReturn, ShiftError
from sales.forms import FinishForm, ReturnForm, ScanForm, ShiftCloseForm, ShiftOpenForm
from sales.models import Payment, Sale, SaleLine, Shift
from sales.pix import qr_svg_data_uri, sale_pix_code
from sales.returns import can_return, sale_return
from sales.selectors import sales_of_day
from sales.services import sale_create
from sales.shifts import shift_cash, shift_close, shift_current, shift_open

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
    finish: FinishForm | None = None,
    error: str = "",
) -> HttpResponse:
    lines = _cart_lines(_cart(request))
    total = sum((line.line_total for line in lines), Decimal(0))
    return render(
        request,
        "sales/sale_form.html",
        {
            "form": form or ScanForm(cart={}),
            "finish": finish or FinishForm(),
            "error": error,
            "lines": lines,
            "total": total,
            "total_cents": int(total * 100),
            "cart_key": request.session.get(CART_KEY, ""),
            "shift": shift_current(clerk=request.user),
            "payments": Payment.choices,
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
    finish = FinishForm(request.POST)
    if not finish.is_valid():
        return _sale_page(request, finish=finish, error=_first_error(finish))
    payment = finish.cleaned_data["payment"]
    shift_id = finish.cleaned_data["shift"]
    if shift_id is None and (shift := shift_current(clerk=request.user)):
        shift_id = shift.pk  # opened in another window since this page
    opening_float = finish.cleaned_data["opening_float"]
    try:
        if shift_id is None and payment == Payment.CASH and opening_float is not None:
            shift_id = shift_open(clerk=request.user, opening_float=opening_float).pk
        sale, _created = sale_create(
            clerk=request.user,
            lines=list(cart.items()),
            channel=Sale.Channel.COUNTER,
            idempotency_key=key,
            payment=payment,
            cash_tendered=finish.cleaned_data["cash_tendered"],
            shift_id=shift_id,
        )
    except ShiftError as exc:
        return _sale_page(request, finish=finish, error=exc.message)
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
        return _sale_page(request, finish=finish, error=problem_for(exc).message)
    _cart_save(request, {})
    request.session[LAST_SALE] = {"key": key, "id": sale.pk}
    return redirect("sales:receipt", pk=sale.pk)


def _first_error(form) -> str:
    return next(e for errors in form.errors.values() for e in errors)


def _visible_sales(user) -> QuerySet[Sale]:
    """Clerks see their own sales, managers any."""
    sales = Sale.objects.select_related("clerk", "voided_by")
    if not user.has_perm("sales.void_sale"):
        sales = sales.filter(clerk=user)
    return sales


@login_required
@permission_required("sales.view_sale", raise_exception=True)
@require_GET
def sale_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable receipt (80 mm thermal paper): lines, payment, change,
    returns, and the Pix code for a Pix sale when the store has a key."""
    sale = get_object_or_404(
        _visible_sales(request.user).prefetch_related(
            Prefetch("lines", SaleLine.objects.select_related("product")),
            "returns__lines__sale_line__product",
        ),
        pk=pk,
    )
    pix = sale_pix_code(sale)
    return render(
        request,
        "sales/receipt.html",
        {
            "sale": sale,
            "pix": pix,
            "pix_qr": qr_svg_data_uri(pix) if pix else None,
            "may_return": sale.status == Sale.Status.COMPLETED
            and request.user.has_perm("sales.add_sale")
            and any(line.returnable for line in sale.lines.all()),
        },
    )


@login_required
@permission_required("sales.add_sale", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sale_return_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back some units of a sale. A clerk without the permission needs a
    manager's name and password on the form."""
    sale = get_object_or_404(
        Sale.objects.prefetch_related(
            Prefetch("lines", SaleLine.objects.select_related("product"))
        ),
        pk=pk,
    )
    lines = list(sale.lines.all())
    needs_approval = not can_return(request.user)
    form = ReturnForm(
        request.POST or None,
        sale_lines=lines,
        initial={"refund_method": sale.payment, "key": uuid.uuid4().hex},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            approver = _approver(request, form) if needs_approval else None
            sale_return(
                sale_id=sale.pk,
                user=request.user,
                lines=form.lines(),
                restock=form.cleaned_data["restock"],
                refund_method=form.cleaned_data["refund_method"],
                approved_by=approver,
                idempotency_key=form.cleaned_data["key"],
                reason=form.cleaned_data["reason"],
            )
        except (InvalidReturn, PermissionDenied) as exc:
            error = getattr(exc, "message", None) or str(exc)
        else:
            messages.success(request, _("Return recorded: refund the customer."))
            return redirect("sales:receipt", pk=sale.pk)
    elif form.errors:
        error = _first_error(form)
    return render(
        request,
        "sales/return.html",
        {
            "sale": sale,
            "form": form,
            "error": error,
            "needs_approval": needs_approval,
        },
    )


def _approver(request: HttpRequest, form: ReturnForm):
    """The manager whose name and password were typed, if they may approve."""
    manager = authenticate(
        request,
        username=form.cleaned_data["manager_username"],
        password=form.cleaned_data["manager_password"],
    )
    if not can_return(manager):
        raise PermissionDenied(
            _("A manager must approve this return: their name and password.")
        )
    return manager


@login_required
@permission_required("sales.add_sale", raise_exception=True)
@require_http_methods(["GET", "POST"])
def shift_page(request: HttpRequest) -> HttpResponse:
    """The clerk's shift: open it with the float, or close it with the cash
    counted (blind: expected cash shows only once it is closed)."""
    open_form, close_form, error = ShiftOpenForm(), ShiftCloseForm(), ""
    if request.method == "POST":
        closing = request.POST.get("action") == "close"
        form = ShiftCloseForm(request.POST) if closing else ShiftOpenForm(request.POST)
        try:
            if form.is_valid() and closing:
                closed = shift_close(
                    shift_id=form.cleaned_data["shift"],
                    user=request.user,
                    counted=form.cleaned_data["counted"],
                    notes_and_coins=form.pieces(),
                )
                return redirect("sales:shift-detail", pk=closed.pk)
            if form.is_valid():
                shift_open(
                    clerk=request.user,
                    opening_float=form.cleaned_data["opening_float"],
                )
                return redirect("sales:shift")
            error = _first_error(form)
        except ShiftError as exc:
            error = exc.message
        if closing:
            close_form = form
        else:
            open_form = form
    return render(
        request,
        "sales/shift.html",
        {
            "shift": shift_current(clerk=request.user),
            "open_form": open_form,
            "close_form": close_form,
            "error": error,
            "recent": Shift.objects.filter(clerk=request.user, closed_at__isnull=False)[
                :5
            ],
        },
    )


@login_required
@permission_required("sales.add_sale", raise_exception=True)
@require_GET
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift's cash-up. A clerk sees only their own shifts."""
    shifts = Shift.objects.select_related("clerk")
    if not request.user.has_perm("sales.view_shift"):
        shifts = shifts.filter(clerk=request.user)
    shift = get_object_or_404(shifts, pk=pk)
    return render(
        request,
        "sales/shift_detail.html",
        {"shift": shift, "cash": shift_cash(shift)},
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
