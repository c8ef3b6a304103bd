from django.urls import path

from purchasing.api import OrderDetail, OrderList, OrderReceipts, OrderSend

urlpatterns = [
    path("purchase-orders/", OrderList.as_view(), name="api-purchase-orders"),
    path(
        "purchase-orders/<str:number>/",
        OrderDetail.as_view(),
        name="api-purchase-order",
    ),
    path(
        "purchase-orders/<str:number>/send/",
        OrderSend.as_view(),
        name="api-purchase-order-send",
    ),
    path(
        "purchase-orders/<str:number>/receipts/",
        OrderReceipts.as_view(),
        name="api-purchase-order-receipts",
    ),
]
