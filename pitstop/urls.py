from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Pit Stop back office"
admin.site.site_title = "Pit Stop"
admin.site.index_title = "Store management"

urlpatterns = [
    path("", RedirectView.as_view(url="/sales/new/", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("sales/", include("sales.urls")),
    path("api/", include("sales.api_urls")),
    path("reports/", include("reports.urls")),
]
