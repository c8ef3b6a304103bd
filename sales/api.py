"""The kiosk API (DESIGN.md's contract): product look-up and selling.

Input is checked by sales.services, the single place that knows what a sale
may hold; the serializers here describe the contract for the OpenAPI schema
and shape the answers. `error` is for machines and stays English; `message`
is for people, in the request's language (Accept-Language)."""

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from inventory.exceptions import InsufficientStock
from inventory.models import Product
from pitstop.i18n import in_english
from sales.exceptions import IdempotencyKeyReused, InvalidSale
from sales.models import Sale, SaleLine
from sales.services import sale_create


def api_exception_handler(exc, context):
    """Every error the API returns reads {"error": "<code>", "message": "..."}:
    REST framework's code (not_authenticated, not_found, parse_error, ...) and
    its text in the request's language."""
    response = exception_handler(exc, context)
    if response is not None and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "error": getattr(detail, "code", None) or "error",
            "message": str(detail),
        }
    return response


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


class SaleRequestSerializer(serializers.Serializer):
    lines = inline_serializer(
        "SaleRequestLine",
        {
            "sku": serializers.CharField(),
            "qty": serializers.IntegerField(min_value=1, max_value=999),
        },
        many=True,
    )
    idempotency_key = serializers.CharField(max_length=64, required=False)


ERROR = inline_serializer(
    "Error", {"error": serializers.CharField(), "message": serializers.CharField()}
)
STOCK_ERROR = inline_serializer(
    "InsufficientStock",
    {
        "error": serializers.CharField(default="insufficient_stock"),
        "sku": serializers.CharField(),
        "available": serializers.IntegerField(),
        "wanted": serializers.IntegerField(),
        "message": serializers.CharField(),
    },
)


class ProductDetail(APIView):
    permission_classes = [permission("inventory.view_product")]

    @extend_schema(responses={200: ProductSerializer, 404: ERROR})
    def get(self, request: Request, sku: str) -> Response:
        product = get_object_or_404(Product, sku=sku, is_active=True)
        return Response(ProductSerializer(product).data)


class SaleCreate(APIView):
    permission_classes = [permission("sales.add_sale")]

    @extend_schema(
        request=SaleRequestSerializer,
        responses={
            201: SaleSerializer,
            200: OpenApiResponse(SaleSerializer, "The sale this key already made."),
            400: ERROR,
            409: OpenApiResponse(STOCK_ERROR, "Not enough stock; nothing sold."),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.data
        lines = body.get("lines") if isinstance(body, dict) else None
        if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
            return _error(_('The body must be {"lines": [{"sku": "…", "qty": 1}, …]}.'))
        key = body.get("idempotency_key") or ""
        if not isinstance(key, str):
            return _error(_("idempotency_key must be a string."))
        try:
            sale, created = sale_create(
                clerk=request.user,
                lines=[(line.get("sku"), line.get("qty")) for line in lines],
                channel=Sale.Channel.KIOSK,
                idempotency_key=key,
            )
        except InsufficientStock as exc:
            return Response(
                {
                    "error": "insufficient_stock",
                    "sku": exc.sku,
                    "available": exc.available,
                    "wanted": exc.wanted,
                    "message": exc.message,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except IdempotencyKeyReused as exc:
            return _error(exc.message, status=status.HTTP_409_CONFLICT)
        except InvalidSale as exc:
            return _error(exc.message)
        prefetch_related_objects(
            [sale], Prefetch("lines", SaleLine.objects.select_related("product"))
        )
        return Response(
            SaleSerializer(sale).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _error(message: Promise, status: int = status.HTTP_400_BAD_REQUEST) -> Response:
    """`error` the English sentence (as it always was), `message` translated."""
    return Response(
        {"error": in_english(message), "message": str(message)}, status=status
    )
