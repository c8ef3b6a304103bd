from django.urls import path

from sales import views

app_name = "sales"

urlpatterns = [
    path("", views.sales_today, name="today"),
    path("new/", views.sale_new, name="new"),
    path("<int:pk>/", views.sale_receipt, name="receipt"),
    path("<int:pk>/return/", views.sale_return_page, name="return"),
    path("shift/", views.shift_page, name="shift"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift-detail"),
]
