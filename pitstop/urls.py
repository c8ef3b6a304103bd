from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from pitstop.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(url="/sales/new/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # POST language=pt-br|en: the clerk pages' language switch (a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("sales/", include("sales.urls")),
    path("kiosk/", include("kiosk.urls")),
    path("api/", include("purchasing.api_urls")),
    path("api/", include("sales.api_urls")),
    path("api/", include("kiosk.api_urls")),
    path("reports/", include("reports.urls")),
]
