"""POST /api/payments/webhook/: a payment service's confirmation of a kiosk's
sale (DESIGN.md's contract; the provider seam is kiosk.payments).

The signature is checked on the raw body before anything is parsed; a bad or
missing one is a 403 and nothing else is said. Replays are answered 200 and
change nothing (sales.payments)."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import CharField
from rest_framework.views import APIView

from kiosk.payments import SIGNATURE_HEADER, payment_provider
from pitstop.api import StrictCharField, StrictIntegerField, api_error
from sales.exceptions import PaymentNotConfirmable
from sales.models import Sale
from sales.payments import sale_payment_confirm, sale_payment_failed

PAID = "paid"
FAILED = "failed"


class NoticeInput(serializers.Serializer):
    sale = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(
        [PAID, FAILED],
        help_text="paid: the sale is paid. failed: a payment attempt failed; "
        "the sale stays pending.",
    )
    reference = StrictCharField(
        min_length=1,
        max_length=Sale._meta.get_field("payment_reference").max_length,
        help_text="The service's id of the payment; the same reference again "
        "is a replay.",
    )


NOTICE_ANSWER = inline_serializer(
    "PaymentNotice",
    {
        "sale": serializers.IntegerField(),
        "payment_status": serializers.ChoiceField(Sale.PaymentStatus.choices),
        "changed": serializers.BooleanField(
            help_text="false for a replay, or a failed attempt: nothing changed."
        ),
    },
)
REFUSED = inline_serializer(
    "PaymentNoticeRefused",
    {"error": serializers.ChoiceField(["bad_signature"]), "message": CharField()},
)
NOT_FOUND = inline_serializer(
    "PaymentNoticeNotFound",
    {"error": serializers.ChoiceField(["not_found"]), "message": CharField()},
)
NOTICE_CONFLICT = inline_serializer(
    "PaymentConflict",
    {
        "error": serializers.ChoiceField(["already_paid", "voided"]),
        "message": CharField(),
    },
)


class PaymentWebhook(APIView):
    # The signature is the authentication: no session, no token, no CSRF.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        request=NoticeInput,
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                location=OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of the raw body under "
                "PITSTOP_PAYMENT_WEBHOOK_SECRET>",
            )
        ],
        responses={
            200: OpenApiResponse(
                NOTICE_ANSWER, "Done, or already done (a replay): nothing changed."
            ),
            403: OpenApiResponse(
                REFUSED,
                "A bad or missing signature, or no secret configured; nothing "
                "read, nothing changed.",
            ),
            404: OpenApiResponse(NOT_FOUND, "No such sale; nothing changed."),
            409: OpenApiResponse(
                NOTICE_CONFLICT,
                "The sale is voided, or already paid by another payment; "
                "nothing changed.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.body  # raw bytes, before anything parses them
        provider = payment_provider()
        if not provider.authentic(body=body, headers=request.headers):
            return api_error("bad_signature", _("Bad or missing signature."), 403)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise exceptions.ParseError() from None
        notice = NoticeInput(data=data)
        notice.is_valid(raise_exception=True)
        sale_id = notice.validated_data["sale"]
        try:
            if notice.validated_data["status"] == PAID:
                sale, changed = sale_payment_confirm(
                    sale_id=sale_id,
                    by=provider.confirmed_by,
                    reference=notice.validated_data["reference"],
                )
            else:
                sale, changed = sale_payment_failed(sale_id=sale_id), False
        except Sale.DoesNotExist:
            raise exceptions.NotFound() from None
        except PaymentNotConfirmable as exc:
            return api_error(exc.code, str(exc.message), 409)
        return Response(
            {"sale": sale.pk, "payment_status": sale.payment_status, "changed": changed}
        )
