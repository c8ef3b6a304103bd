"""The kiosk API (DESIGN.md's contract): product look-up, selling, a sale with
its payment (and Pix code), returns.

Input is checked at the edge by an input serializer (HackSoft's pattern) whose
bounds are sales.services' own, then by the service; sales.errors turns the
service's exceptions into answers, as for the clerk's form. Errors common to
every operation (401, 403, 413, 500…) are pitstop.api's."""

import datetime
from decimal import Decimal

from django.core.validators import RegexValidator
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import Product
from inventory.selectors import with_lots, with_replenishment
from pitstop.api import StrictCharField, StrictIntegerField
from pitstop.roles import KIOSKS
from pitstop.tokens import in_group
from sales.errors import ERRORS, RETURN_ERRORS, problem_for
from sales.models import Payment, Return, Sale, SaleLine
from sales.pix import qr_svg_data_uri, sale_pix_code
from sales.returns import sale_return
from sales.services import (
    MAX_KEY_LENGTH,
    MAX_LINES,
    MAX_PIN_LENGTH,
    MAX_QUANTITY,
    sale_create,
)

SKU_LENGTH = Product._meta.get_field("sku").max_length
# A line's price as the catalogue writes it: a decimal string ("12.50").
_PRICE_DIGITS = Product._meta.get_field("price").max_digits - 2
PRICE_PATTERN = rf"^[0-9]{{1,{_PRICE_DIGITS}}}(?:\.[0-9]{{1,2}})?$"
PRICE_LENGTH = _PRICE_DIGITS + 3
# Printable, no whitespace around: what the catalogue's skus look like, and
# in the schema, so that a client (or a fuzzer) knows it.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
SKU_PATTERN = rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?$"


def permission(perm: str) -> type[BasePermission]:
    class HasPermission(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.has_perm(perm))

    return HasPermission


class ProductSerializer(serializers.ModelSerializer):
    """A product with the replenishment rule's numbers (inventory.selectors)."""

    low_stock = serializers.BooleanField(source="is_low")
    on_order = serializers.IntegerField(
        help_text="Units on sent, not fully received purchase orders."
    )
    velocity = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Units sold a day (28 days)."
    )
    days_of_cover = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        allow_null=True,
        help_text="Days the stock lasts at that pace; null when nothing sold.",
    )
    suggested_qty = serializers.IntegerField(
        help_text="Units to order now, rounded up to the pack size."
    )
    sellable = serializers.IntegerField(
        allow_null=True,
        help_text="For a product that tracks expiry, the units in lots not "
        "expired (what can be sold); null otherwise.",
    )
    expires_next = serializers.DateField(
        allow_null=True,
        help_text="For a product that tracks expiry, the date its first "
        "sellable lot expires; null otherwise, or without one.",
    )

    class Meta:
        model = Product
        fields = ["sku", "name", "price", "stock", "reorder_point", "low_stock"]
        fields += ["on_order", "velocity", "days_of_cover", "suggested_qty"]
        fields += ["tracks_expiry", "sellable", "expires_next"]


class SaleLineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    qty = serializers.IntegerField(source="quantity")
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    returned = serializers.IntegerField(source="returned_quantity")


class SaleSerializer(serializers.ModelSerializer):
    lines = SaleLineSerializer(many=True)
    change = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, read_only=True
    )

    class Meta:
        model = Sale
        fields = [
            "id",
            "total",
            "status",
            "channel",
            "created_at",
            "payment",
            "payment_status",
            "cash_tendered",
            "change",
            "lines",
        ]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _datetime(value: datetime.datetime) -> str:
    shown = timezone.localtime(value).isoformat()
    return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


def sale_answer(sale: Sale) -> dict:
    """SaleSerializer's answer, written out: what a sale answers is built from
    the sale in hand (and the lines sale_create leaves on it) without DRF's
    per-request field machinery, a third of the view's CPU. The schema is still
    SaleSerializer's, and a test holds the two to the same output."""
    prefetch_related_objects(
        [sale], Prefetch("lines", SaleLine.objects.select_related("product"))
    )  # nothing to do when sale_create left its lines on the sale
    return {
        "id": sale.pk,
        "total": _decimal(sale.total),
        "status": sale.status,
        "channel": sale.channel,
        "created_at": _datetime(sale.created_at),
        "payment": sale.payment,
        "payment_status": sale.payment_status,
        "cash_tendered": _decimal(sale.cash_tendered),
        "change": _decimal(sale.change),
        "lines": [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "qty": line.quantity,
                "unit_price": _decimal(line.unit_price),
                "line_total": _decimal(line.line_total),
                "returned": line.returned_quantity,
            }
            for line in sale.lines.all()
        ],
    }


class ReturnLineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="sale_line.product.sku")
    qty = serializers.IntegerField(source="quantity")
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReturnSerializer(serializers.ModelSerializer):
    sale = serializers.IntegerField(source="sale_id")
    lines = ReturnLineSerializer(many=True)

    class Meta:
        model = Return
        fields = ["id", "sale", "created_at", "total", "refund_method", "restock"]
        fields += ["lines"]


class PixSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='The "copia e cola" text (BR Code).')
    qr = serializers.CharField(help_text="Its QR code, an SVG data: URI.")


class SaleDetailSerializer(SaleSerializer):
    returns = ReturnSerializer(many=True)
    pix = serializers.SerializerMethodField()

    class Meta(SaleSerializer.Meta):
        fields = [*SaleSerializer.Meta.fields, "returns", "pix"]

    @extend_schema_field(PixSerializer(allow_null=True))
    def get_pix(self, sale: Sale) -> dict | None:
        code = sale_pix_code(sale)
        return {"code": code, "qr": qr_svg_data_uri(code)} if code else None


class SaleLineInput(serializers.Serializer):
    sku = StrictCharField(
        max_length=SKU_LENGTH,
        trim_whitespace=False,
        validators=[RegexValidator(SKU_PATTERN, _("Not a product code."))],
    )
    qty = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class SaleLinePriced(SaleLineInput):
    price = StrictCharField(
        max_length=PRICE_LENGTH,
        required=False,
        validators=[RegexValidator(PRICE_PATTERN, _("Not a price such as 12.50."))],
        help_text="The unit price the customer was shown (a decimal string). "
        "When given and the product's price is another now, the sale is "
        "refused 409 price_changed: a kiosk that sold offline sends it.",
    )


class SaleInput(serializers.Serializer):
    lines = serializers.ListField(
        child=SaleLinePriced(),
        min_length=1,
        max_length=MAX_LINES,
        error_messages={"min_length": _("A sale needs at least one line.")},
    )
    idempotency_key = StrictCharField(
        max_length=MAX_KEY_LENGTH,
        required=False,
        allow_blank=True,
    )
    attendant_pin = StrictCharField(
        max_length=MAX_PIN_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="A kiosk's sale of an age-restricted or attendant-only "
        "product needs the attendant's PIN.",
    )
    payment = serializers.ChoiceField(
        choices=Payment.choices, required=False, default=Payment.OTHER
    )

    def validate_lines(self, lines: list[dict]) -> list[dict]:
        seen: dict[str, str] = {}
        for line in lines:
            price = line.get("price")
            if price is None:
                continue
            if seen.setdefault(line["sku"], price) != price:
                raise serializers.ValidationError(
                    _("Two lines of %(sku)s carry different prices.")
                    % {"sku": line["sku"]}
                )
        return lines

    def seen_prices(self) -> dict[str, Decimal]:
        return {
            line["sku"]: Decimal(line["price"])
            for line in self.validated_data["lines"]
            if "price" in line
        }


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false: not "yes", not 1."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class ReturnInput(serializers.Serializer):
    lines = serializers.ListField(
        child=SaleLineInput(),
        min_length=1,
        max_length=MAX_LINES,
        error_messages={
            "min_length": _("Say which units come back: at least one line.")
        },
    )
    restock = StrictBooleanField(
        default=True, help_text="Back on the shelf (true) or written off as waste."
    )
    refund_method = serializers.ChoiceField(
        choices=Payment.choices,
        required=False,
        help_text="How the money goes back; default: how the sale was paid.",
    )
    reason = StrictCharField(max_length=255, required=False, allow_blank=True)
    idempotency_key = StrictCharField(
        max_length=MAX_KEY_LENGTH, required=False, allow_blank=True
    )


SALE_ERROR = inline_serializer(
    "SaleError",
    {
        "error": serializers.ChoiceField(["invalid", "parse_error", "unknown_product"]),
        "message": serializers.CharField(),
        "field": serializers.CharField(required=False),
        "sku": serializers.CharField(required=False),
    },
)
CONFLICT = inline_serializer(
    "SaleConflict",
    {
        "error": serializers.ChoiceField(
            [
                "insufficient_stock",
                "expired",
                "idempotency_key_reused",
                "attendant_required",
                "price_changed",
            ]
        ),
        "message": serializers.CharField(),
        "sku": serializers.CharField(required=False),
        "available": serializers.IntegerField(required=False),
        "wanted": serializers.IntegerField(required=False),
        "price": serializers.DecimalField(
            max_digits=10,
            decimal_places=2,
            required=False,
            help_text="price_changed: the product's price now.",
        ),
        "seen": serializers.DecimalField(
            max_digits=10,
            decimal_places=2,
            required=False,
            help_text="price_changed: the price the line carried.",
        ),
    },
)


class ProductDetail(APIView):
    permission_classes = [permission("inventory.view_product")]

    @extend_schema(responses={200: ProductSerializer})
    def get(self, request: Request, sku: str) -> Response:
        # A code no product can have (too long, NUL…) is simply not found;
        # PostgreSQL could not even compare it.
        if len(sku) > SKU_LENGTH or not sku.isprintable():
            raise exceptions.NotFound()
        products = with_lots(with_replenishment(Product.objects.filter(is_active=True)))
        product = products.filter(sku=sku).first()
        if product is None:
            raise exceptions.NotFound()
        return Response(ProductSerializer(product).data)


class SaleCreate(APIView):
    permission_classes = [permission("sales.add_sale")]

    @extend_schema(
        request=SaleInput,
        responses={
            201: SaleSerializer,
            200: OpenApiResponse(SaleSerializer, "The sale this key already made."),
            400: OpenApiResponse(SALE_ERROR, "Invalid sale; nothing sold."),
            409: OpenApiResponse(
                CONFLICT,
                "Not enough stock, units needed that are expired (available: "
                "the sellable units), a key reused, a kiosk's sale that needs "
                "the attendant, or a line whose price changed.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = SaleInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sale, created = sale_create(
                clerk=request.user,
                lines=[
                    (line["sku"], line["qty"]) for line in data.validated_data["lines"]
                ],
                channel=Sale.Channel.KIOSK,
                idempotency_key=data.validated_data.get("idempotency_key", ""),
                unattended=in_group(request.user, KIOSKS),
                attendant_pin=data.validated_data.get("attendant_pin", ""),
                payment=data.validated_data["payment"],
                seen_prices=data.seen_prices(),
            )
        except ERRORS as exc:
            problem = problem_for(exc)
            return Response(problem.body, status=problem.status)
        return Response(
            sale_answer(sale),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def sales_visible_to(user) -> QuerySet[Sale]:
    """Managers see every sale; clerks and kiosks their own."""
    if user.has_perm("sales.void_sale"):
        return Sale.objects.all()
    return Sale.objects.filter(clerk=user)


class SaleDetail(APIView):
    permission_classes = [permission("sales.view_sale")]

    @extend_schema(responses={200: SaleDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        sale = (
            sales_visible_to(request.user)
            .prefetch_related(
                Prefetch("lines", SaleLine.objects.select_related("product")),
                "returns__lines__sale_line__product",
            )
            .filter(pk=pk)
            .first()
        )
        if sale is None:
            raise exceptions.NotFound()
        return Response(SaleDetailSerializer(sale).data)


RETURN_ERROR = inline_serializer(
    "ReturnError",
    {
        "error": serializers.ChoiceField(["invalid", "parse_error", "not_in_sale"]),
        "message": serializers.CharField(),
        "field": serializers.CharField(required=False),
        "sku": serializers.CharField(required=False),
    },
)
RETURN_CONFLICT = inline_serializer(
    "ReturnConflict",
    {
        "error": serializers.ChoiceField(
            ["over_return", "not_returnable", "idempotency_key_reused"]
        ),
        "message": serializers.CharField(),
        "sku": serializers.CharField(required=False),
        "returnable": serializers.IntegerField(required=False),
    },
)


class SaleReturnCreate(APIView):
    permission_classes = [permission("sales.return_sale")]

    @extend_schema(
        request=ReturnInput,
        responses={
            201: ReturnSerializer,
            200: OpenApiResponse(ReturnSerializer, "The return this key made."),
            400: OpenApiResponse(RETURN_ERROR, "Invalid return; nothing changed."),
            409: OpenApiResponse(
                RETURN_CONFLICT,
                "More than sold less already returned (over_return), a voided "
                "sale (not_returnable) or a key used for another return; "
                "nothing changed.",
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        if not Sale.objects.filter(pk=pk).exists():
            raise exceptions.NotFound()
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        try:
            done, created = sale_return(
                sale_id=pk,
                user=request.user,
                lines=[(line["sku"], line["qty"]) for line in body["lines"]],
                restock=body["restock"],
                refund_method=body.get("refund_method"),
                idempotency_key=body.get("idempotency_key", ""),
                reason=body.get("reason", ""),
            )
        except RETURN_ERRORS as exc:
            problem = problem_for(exc)
            return Response(problem.body, status=problem.status)
        return Response(
            ReturnSerializer(done).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
