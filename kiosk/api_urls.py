from django.urls import path

from kiosk.api import PaymentWebhook

urlpatterns = [
    path("payments/webhook/", PaymentWebhook.as_view(), name="api-payment-webhook"),
]
