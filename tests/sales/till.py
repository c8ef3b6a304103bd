"""Helpers shared by the till's tests: a clerk's counter, step by step."""

from django.urls import reverse

from inventory.models import Product, StockMovement
from sales.models import Return, Sale, Shift

NEW = reverse("sales:new")
SHIFT = reverse("sales:shift")


def scan(client, code: str, quantity: int = 1):
    return client.post(NEW, {"action": "scan", "code": code, "quantity": quantity})


def pay(client, payment: str, **fields):
    """Press a payment button under "Finish sale", as the page shows it."""
    page = client.get(NEW)
    form = {"action": "finish", "key": page.context["cart_key"], "payment": payment}
    if page.context["shift"]:
        form["shift"] = page.context["shift"].pk
    return client.post(NEW, form | fields)


def till_state():
    """Everything the till changes, to prove a refused action changed nothing."""
    return (
        list(Product.objects.order_by("pk").values_list("sku", "stock")),
        StockMovement.objects.count(),
        Sale.objects.count(),
        list(Shift.objects.order_by("pk").values_list("pk", "closed_at")),
        Return.objects.count(),
    )
