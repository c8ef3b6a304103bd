from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.models import Product
from pitstop.i18n import fill_lazy
from sales.selectors import product_by_code
from sales.services import MAX_LINES, MAX_QUANTITY

_QUANTITY_ERROR = fill_lazy(
    gettext_lazy("The quantity must be a whole number from 1 to %(max)s."),
    {"max": MAX_QUANTITY},
)


class ScanForm(forms.Form):
    """One scan at the counter: a barcode or sku and how many. Checked against
    the product's stock counting what the cart already holds; the sale service
    checks again, under the lock, when the sale is finished."""

    code = forms.CharField(
        max_length=64,
        error_messages={
            "required": gettext_lazy("Scan or type a barcode or sku."),
            "max_length": gettext_lazy("No product has a code that long."),
        },
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), _QUANTITY_ERROR
        ),
    )

    def __init__(self, *args, cart: Mapping[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.cart = cart

    def clean_code(self) -> Product:
        code = self.cleaned_data["code"]
        product = product_by_code(code)
        if product is None:
            raise forms.ValidationError(
                _("No product on sale with the code %(code)s.") % {"code": code}
            )
        return product

    def clean(self) -> dict:
        cleaned = super().clean()
        product: Product | None = cleaned.get("code")
        quantity: int | None = cleaned.get("quantity")
        if product is None or quantity is None:
            return cleaned
        in_cart = self.cart.get(product.sku, 0)
        if not in_cart and len(self.cart) >= MAX_LINES:
            raise forms.ValidationError(
                _("A sale has at most %(max)s lines: finish this one first.")
                % {"max": MAX_LINES}
            )
        if in_cart + quantity > MAX_QUANTITY:
            raise forms.ValidationError(
                _(
                    "At most %(max)s of %(product)s in one sale; "
                    "%(in_cart)s already in it."
                )
                % {"max": MAX_QUANTITY, "product": product, "in_cart": in_cart}
            )
        if in_cart + quantity > product.stock:
            params = {"product": product, "stock": product.stock, "in_cart": in_cart}
            if in_cart:
                raise forms.ValidationError(
                    _(
                        "Not enough stock of %(product)s: %(stock)s available, "
                        "%(in_cart)s already in this sale."
                    )
                    % params
                )
            raise forms.ValidationError(
                _("Not enough stock of %(product)s: %(stock)s available.") % params
            )
        return cleaned
