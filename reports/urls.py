from django.urls import path

from reports.views import report_file

app_name = "reports"

urlpatterns = [
    path("files/<path:key>", report_file, name="file"),
]
