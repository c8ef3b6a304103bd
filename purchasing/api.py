"""Purchase orders from a phone or a handheld at the back door (managers):
list and read them, approve (send) a draft, receive a delivery."""

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from purchasing.exceptions import PurchasingError, ReceiptRejected, SendFailed
from purchasing.models import PurchaseOrder
from purchasing.selectors import order_detail, order_id_from_number, orders_with_totals
from purchasing.services import order_receive, order_send


class _Can(BasePermission):
    perm = ""

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(self.perm))


class ManagesOrders(_Can):
    perm = "purchasing.change_purchaseorder"


class ReceivesGoods(_Can):
    perm = "purchasing.add_receipt"


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    ordered = serializers.IntegerField()
    received = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=10, decimal_places=2)


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    supplier = serializers.CharField(source="supplier.name")
    supplier_email = serializers.CharField(source="supplier.email")
    status = serializers.ChoiceField(choices=PurchaseOrder.Status.choices)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    expected_on = serializers.DateField(allow_null=True)
    closed_short = serializers.BooleanField()
    lines = LineSerializer(many=True)


class OrderSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    supplier = serializers.CharField(source="supplier.name")
    status = serializers.ChoiceField(choices=PurchaseOrder.Status.choices)
    lines = serializers.IntegerField(source="line_count")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    below_minimum = serializers.SerializerMethodField()
    expected_on = serializers.DateField(allow_null=True)

    def get_below_minimum(self, order) -> bool:
        return order.total < order.supplier.min_order_value


class ReceiptRequestSerializer(serializers.Serializer):
    lines = inline_serializer(
        "ReceiptRequestLine",
        {
            "sku": serializers.CharField(),
            "qty": serializers.IntegerField(min_value=1),
            "expires_on": serializers.DateField(
                required=False,
                input_formats=["iso-8601"],
                help_text="YYYY-MM-DD, required for a product that tracks "
                "expiry; not in the past.",
            ),
        },
        many=True,
    )
    idempotency_key = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=255, required=False)


ERROR = inline_serializer(
    "PurchasingError",
    {"error": serializers.CharField(), "message": serializers.CharField()},
)
RECEIPT_ERROR = inline_serializer(
    "ReceiptError",
    {
        "error": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.CharField()),
    },
)


class OrderList(APIView):
    permission_classes = [ManagesOrders]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=PurchaseOrder.Status.values, required=False)
        ],
        responses={200: OrderSummarySerializer(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        orders = PurchaseOrder.objects.order_by("-pk")
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in PurchaseOrder.Status.values:
                return _error(
                    "invalid",
                    f"status must be one of {', '.join(PurchaseOrder.Status.values)}.",
                )
            orders = orders.filter(status=wanted)
        orders = orders_with_totals(orders)[:500]
        return Response(OrderSummarySerializer(orders, many=True).data)


class OrderDetail(APIView):
    permission_classes = [ManagesOrders]

    @extend_schema(responses={200: OrderSerializer, 404: ERROR})
    def get(self, request: Request, number: str) -> Response:
        return Response(OrderSerializer(_order(number)).data)


class OrderSend(APIView):
    permission_classes = [ManagesOrders]

    @extend_schema(
        request=None,
        responses={
            200: OrderSerializer,
            404: ERROR,
            409: OpenApiResponse(
                ERROR, "Not a draft, being sent already, or no supplier e-mail."
            ),
            503: OpenApiResponse(
                ERROR, "Storing or mailing failed: still a draft, to retry."
            ),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        order = _order(number)
        try:
            order_send(order_id=order.pk, user=request.user)
        except SendFailed as exc:
            return _error(exc.code, exc.message, status.HTTP_503_SERVICE_UNAVAILABLE)
        except PurchasingError as exc:
            return _error(exc.code, exc.message, status.HTTP_409_CONFLICT)
        return Response(OrderSerializer(order_detail(order.pk)).data)


class OrderReceipts(APIView):
    permission_classes = [ReceivesGoods]

    @extend_schema(
        request=ReceiptRequestSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(
                OrderSerializer, "This key's receipt, already booked."
            ),
            400: OpenApiResponse(
                RECEIPT_ERROR,
                "Invalid lines (a product that tracks expiry without its "
                "expires_on, or one in the past); nothing booked.",
            ),
            404: ERROR,
            409: OpenApiResponse(ERROR, "A draft or closed order, or a reused key."),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        order = _order(number)
        body = ReceiptRequestSerializer(data=request.data)
        if not body.is_valid():
            errors = [f"{field}: {message}" for field, message in _flatten(body.errors)]
            return _error("invalid_receipt", "; ".join(errors), errors=errors)
        data = body.validated_data
        try:
            _, created = order_receive(
                order_id=order.pk,
                lines=[
                    (line["sku"], line["qty"], line.get("expires_on"))
                    for line in data["lines"]
                ],
                user=request.user,
                note=data.get("note", ""),
                idempotency_key=data["idempotency_key"],
            )
        except ReceiptRejected as exc:
            return _error(exc.code, exc.message, errors=exc.errors)
        except PurchasingError as exc:
            return _error(exc.code, exc.message, status.HTTP_409_CONFLICT)
        return Response(
            OrderSerializer(order_detail(order.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _order(number: str) -> PurchaseOrder:
    order_id = order_id_from_number(number)
    if order_id is not None:
        try:
            return order_detail(order_id)
        except PurchaseOrder.DoesNotExist:
            pass
    raise Http404(f"No purchase order {number}.")


def _flatten(errors, prefix: str = ""):
    """DRF's nested errors as (field path, message) pairs."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a list's item, as DRF reports it
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(value, path)
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            for message in errors:
                yield prefix, str(message)
        else:
            for n, value in enumerate(errors):
                yield from _flatten(value, f"{prefix}[{n}]")


def _error(code, message, status_code=status.HTTP_400_BAD_REQUEST, **extra):
    return Response({"error": code, "message": message, **extra}, status=status_code)
