from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.models import Product
from lambda_alert.l10n import symbol
from pitstop.i18n import fill_lazy
from pitstop.money import money
from sales.models import Payment
from sales.selectors import product_by_code
from sales.services import MAX_LINES, MAX_QUANTITY
from sales.shifts import COINS, NOTES

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
        # A perishable (product_by_code's `sellable`), as the stock writer
        # decides: short of units in date while some are out of date.
        sellable = product.sellable
        if sellable is not None and sellable < min(product.stock, in_cart + quantity):
            raise forms.ValidationError(
                _(
                    "%(product)s: only %(sellable)s can be sold. The other units "
                    "are past their expiry date (or not dated): take them off "
                    "the shelf and tell the manager."
                )
                % {"product": product, "sellable": max(sellable - in_cart, 0)}
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


class MoneyField(forms.DecimalField):
    """An amount in reais typed at the counter: "12,50" or "12.50"."""

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=10, decimal_places=2, min_value=0, required=False, **kwargs
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(symbol(settings.PITSTOP_CURRENCY), "")
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class FinishForm(forms.Form):
    """ "Finish" at the counter: the payment button pressed, and for cash the
    amount tendered (and the float, when it opens the clerk's shift)."""

    payment = forms.ChoiceField(choices=Payment.choices, required=False)
    cash_tendered = MoneyField(label=gettext_lazy("Cash received"))
    opening_float = MoneyField(label=gettext_lazy("Opening float"))
    shift = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_payment(self) -> str:
        return self.cleaned_data["payment"] or Payment.OTHER

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("payment") != Payment.CASH:
            cleaned["cash_tendered"] = None
        return cleaned


class ShiftOpenForm(forms.Form):
    opening_float = MoneyField(label=gettext_lazy("Cash float in the drawer"))

    def clean_opening_float(self):
        value = self.cleaned_data["opening_float"]
        if value is None:
            raise forms.ValidationError(gettext_lazy("Count the float in the drawer."))
        return value


class ShiftCloseForm(forms.Form):
    """The cash counted at the end of a shift: the total, or the notes and
    coins one by one (or both, when they agree)."""

    counted = MoneyField(label=gettext_lazy("Cash counted"))
    shift = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value in (*NOTES, *COINS):
            self.fields[self.piece_field(value)] = forms.IntegerField(
                label=money(value), min_value=0, max_value=100000, required=False
            )

    @staticmethod
    def piece_field(value) -> str:
        return "n_" + f"{value:.2f}".replace(".", "_")

    def pieces(self) -> dict:
        return {
            value: self.cleaned_data.get(self.piece_field(value)) or 0
            for value in (*NOTES, *COINS)
        }

    def note_fields(self):
        return [self[self.piece_field(v)] for v in NOTES]

    def coin_fields(self):
        return [self[self.piece_field(v)] for v in COINS]


class ReturnForm(forms.Form):
    """Which units come back, how the money goes back, and the manager's
    approval when the clerk may not return on their own."""

    restock = forms.TypedChoiceField(
        label=gettext_lazy("The units"),
        choices=[
            ("yes", gettext_lazy("Back on the shelf")),
            ("no", gettext_lazy("Written off (waste)")),
        ],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    refund_method = forms.ChoiceField(
        label=gettext_lazy("Refund by"), choices=Payment.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=255, required=False
    )
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    manager_username = forms.CharField(label=gettext_lazy("Manager"), required=False)
    manager_password = forms.CharField(
        label=gettext_lazy("Manager's password"),
        required=False,
        widget=forms.PasswordInput,
    )

    def __init__(self, *args, sale_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.sale_lines = list(sale_lines)
        for line in self.sale_lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=line.product.name,
                min_value=0,
                max_value=max(line.returnable, 0),
                initial=0,
                required=False,
            )

    def rows(self):
        return [(line, self[f"qty_{line.pk}"]) for line in self.sale_lines]

    def lines(self) -> list[tuple[str, int]]:
        return [
            (line.product.sku, self.cleaned_data.get(f"qty_{line.pk}") or 0)
            for line in self.sale_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        ]
