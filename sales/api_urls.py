from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sales.api import ProductDetail, SaleCreate

urlpatterns = [
    path("products/<str:sku>/", ProductDetail.as_view(), name="api-product"),
    path("sales/", SaleCreate.as_view(), name="api-sales"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"
    ),
]
