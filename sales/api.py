"""The kiosk API (DESIGN.md's contract): product look-up and selling.

Input is checked at the edge by an input serializer (HackSoft's pattern) whose
bounds are sales.services' own, then by the service; sales.errors turns the
service's exceptions into answers, as for the clerk's form. Errors common to
every operation (401, 403, 413, 500…) are pitstop.api's."""

from django.core.validators import RegexValidator
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import Product
from pitstop.api import StrictCharField, StrictIntegerField
from pitstop.roles import KIOSKS
from sales.errors import ERRORS, problem_for
from sales.models import Sale, SaleLine
from sales.services import (
    MAX_KEY_LENGTH,
    MAX_LINES,
    MAX_PIN_LENGTH,
    MAX_QUANTITY,
    sale_create,
)

SKU_LENGTH = Product._meta.get_field("sku").max_length
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
    low_stock = serializers.BooleanField(source="is_low")

    class Meta:
        model = Product
        fields = ["sku", "name", "price", "stock", "reorder_point", "low_stock"]


class SaleLineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    qty = serializers.IntegerField(source="quantity")
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class SaleSerializer(serializers.ModelSerializer):
    lines = SaleLineSerializer(many=True)

    class Meta:
        model = Sale
        fields = ["id", "total", "status", "channel", "created_at", "lines"]


class SaleLineInput(serializers.Serializer):
    sku = StrictCharField(
        max_length=SKU_LENGTH,
        trim_whitespace=False,
        validators=[RegexValidator(SKU_PATTERN, _("Not a product code."))],
    )
    qty = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class SaleInput(serializers.Serializer):
    lines = serializers.ListField(
        child=SaleLineInput(),
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
            ["insufficient_stock", "idempotency_key_reused", "attendant_required"]
        ),
        "message": serializers.CharField(),
        "sku": serializers.CharField(required=False),
        "available": serializers.IntegerField(required=False),
        "wanted": serializers.IntegerField(required=False),
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
        product = Product.objects.filter(sku=sku, is_active=True).first()
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
                "Not enough stock, a key reused, or a kiosk's sale that needs "
                "the attendant.",
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
                unattended=request.user.groups.filter(name=KIOSKS).exists(),
                attendant_pin=data.validated_data.get("attendant_pin", ""),
            )
        except ERRORS as exc:
            problem = problem_for(exc)
            return Response(problem.body, status=problem.status)
        prefetch_related_objects(
            [sale], Prefetch("lines", SaleLine.objects.select_related("product"))
        )
        return Response(
            SaleSerializer(sale).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
