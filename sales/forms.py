from collections.abc import Mapping

from django import forms

from inventory.models import Product
from sales.selectors import product_by_code
from sales.services import MAX_LINES, MAX_QUANTITY

_QUANTITY_ERROR = f"The quantity must be a whole number from 1 to {MAX_QUANTITY}."


class ScanForm(forms.Form):
    """One scan at the counter: a barcode or sku and how many. Checked against
    the product's stock counting what the cart already holds; the sale service
    checks again, under the lock, when the sale is finished."""

    code = forms.CharField(
        max_length=64,
        error_messages={
            "required": "Scan or type a barcode or sku.",
            "max_length": "No product has a code that long.",
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
            raise forms.ValidationError(f"No product on sale with the code {code}.")
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
                f"A sale has at most {MAX_LINES} lines: finish this one first."
            )
        if in_cart + quantity > MAX_QUANTITY:
            raise forms.ValidationError(
                f"At most {MAX_QUANTITY} of {product} in one sale; "
                f"{in_cart} already in it."
            )
        if in_cart + quantity > product.stock:
            already = f", {in_cart} already in this sale" if in_cart else ""
            raise forms.ValidationError(
                f"Not enough stock of {product}: {product.stock} available{already}."
            )
        return cleaned
