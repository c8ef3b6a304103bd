"""The framework floor: a bare DRF endpoint with token authentication that
runs the raw sale SQL (bench.raw_sale) through Django's connection, served by
the same gunicorn as the product. What it costs over raw psycopg is what Django
and DRF cost; what the kiosk API costs over it is ours.

Only the bench's settings (bench.settings) route to it: the product's URLs
(pitstop.urls) never do."""

from django.db import connection, transaction
from django.urls import path
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.raw_sale import sale_statements
from pitstop.urls import urlpatterns as product_urlpatterns

FLOOR_URL = "/bench/floor/sales/"


class FloorSale(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        body = request.data
        lines = [(line["sku"], line["qty"]) for line in body["lines"]]
        with transaction.atomic(), connection.cursor() as cur:
            sold = sale_statements(cur, request.user.pk, lines, body["idempotency_key"])
            if sold is None:
                transaction.set_rollback(True)
                return Response({"error": "insufficient_stock"}, status=409)
        sale_id, total = sold
        return Response({"id": sale_id, "total": f"{total:.2f}"}, status=201)


urlpatterns = [
    *product_urlpatterns,
    path(FLOOR_URL.lstrip("/"), FloorSale.as_view()),
]
