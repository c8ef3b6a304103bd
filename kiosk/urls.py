from django.urls import path

from kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("", views.kiosk_page, name="page"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("attendant/", views.attendant, name="attendant"),
]
