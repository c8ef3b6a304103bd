from django.urls import path

from kiosk import pwa, views

app_name = "kiosk"

urlpatterns = [
    path("", views.kiosk_page, name="page"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("attendant/", views.attendant, name="attendant"),
    # The PWA and selling offline (kiosk/pwa.py).
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.worker, name="worker"),
    path("heartbeat/", pwa.heartbeat, name="heartbeat"),
    path("sales/<int:pk>/paid/", views.sale_paid, name="sale-paid"),
    path("sales/<int:pk>/receipt/", views.sale_receipt_link, name="sale-receipt"),
    path("receipt/<str:token>/", views.receipt, name="receipt"),
]
