from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sales.api import ProductDetail, SaleCreate, SaleDetail, SaleReturnCreate

urlpatterns = [
    path("products/<str:sku>/", ProductDetail.as_view(), name="api-product"),
    path("sales/", SaleCreate.as_view(), name="api-sales"),
    path("sales/<int:pk>/", SaleDetail.as_view(), name="api-sale"),
    path(
        "sales/<int:pk>/returns/",
        SaleReturnCreate.as_view(),
        name="api-sale-returns",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"
    ),
]
