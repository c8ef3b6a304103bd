import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.models import Lot, Product, Supplier


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV, UTF-8. Columns: sku, name, price, stock, reorder_point; "
            "optional: barcode, category, cost, par_level, supplier, "
            "age_restricted, attendant_only, tracks_expiry (yes/no), pack_size."
        ),
    )


class ProductForm(forms.ModelForm):
    """The admin's product form; a form posted without pack_size (made before
    it existed) keeps the product's pack size."""

    pack_size = forms.IntegerField(
        min_value=1,
        required=False,
        help_text=Product._meta.get_field("pack_size").help_text,
    )

    class Meta:
        model = Product
        fields = ["sku", "barcode", "name", "category", "supplier", "price", "cost"]
        fields += ["reorder_point", "par_level", "pack_size", "is_active"]
        fields += ["tracks_expiry"]

    def clean_pack_size(self) -> int:
        return self.cleaned_data["pack_size"] or self.instance.pack_size


class _PerProductForm(forms.Form):
    """A form with one quantity field per product, named qty_<pk>."""

    min_quantity = 0

    def __init__(self, *args, products: list[Product], **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        for product in products:
            self.fields[f"qty_{product.pk}"] = forms.IntegerField(
                label=gettext("%(name)s (%(sku)s), now %(stock)s")
                % {"name": product.name, "sku": product.sku, "stock": product.stock},
                min_value=self.min_quantity,
                initial=self.initial_quantity(product),
            )

    def initial_quantity(self, product: Product) -> int | None:
        return None

    def quantities(self) -> dict[int, int]:
        return {p.pk: self.cleaned_data[f"qty_{p.pk}"] for p in self.products}


class ReceiptForm(_PerProductForm):
    min_quantity = 1

    supplier = forms.ModelChoiceField(
        Supplier.objects.all(), required=False, label=_("Supplier")
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        required=False,
        help_text=_("The delivery note's number."),
    )

    allow_past_expiry = forms.BooleanField(
        label=_("Accept expiry dates in the past"),
        required=False,
        help_text=_(
            "Only to book units that arrived already expired: they cannot be "
            "sold, write them off."
        ),
    )

    def __init__(self, *args, products: list[Product], **kwargs):
        super().__init__(*args, products=products, **kwargs)
        # A perishable's expiry date right after its quantity.
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            product = next(
                (p for p in products if name == f"qty_{p.pk}" and p.tracks_expiry),
                None,
            )
            if product is not None:
                fields[f"expires_{product.pk}"] = forms.DateField(
                    label=gettext("%(name)s (%(sku)s): expires on")
                    % {"name": product.name, "sku": product.sku},
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                    error_messages={
                        "required": _("Give the expiry date of the units received.")
                    },
                )
        self.fields = fields

    def initial_quantity(self, product: Product) -> int | None:
        """What the replenishment rule would order (products come annotated
        by inventory.selectors.with_replenishment)."""
        return max(product.suggested_qty, 1)

    def expiry_dates(self) -> dict[int, datetime.date]:
        """The expiry date given for each perishable product."""
        return {
            p.pk: self.cleaned_data[f"expires_{p.pk}"]
            for p in self.products
            if p.tracks_expiry
        }


class StocktakeForm(_PerProductForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        help_text=_("Why the count differs (breakage, theft, …)."),
    )

    def initial_quantity(self, product: Product) -> int:
        return product.stock


class LotDateForm(forms.Form):
    """The expiry dates of an "expiry unknown" lot's units: up to three dates,
    the units of each (inventory.perishables.lot_date)."""

    PARTS = 3

    allow_past_expiry = forms.BooleanField(
        label=_("Accept expiry dates in the past"),
        required=False,
        help_text=_("Those units cannot be sold: write them off."),
    )

    def __init__(self, *args, lot: Lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot = lot
        for n in range(1, self.PARTS + 1):
            self.fields[f"expires_{n}"] = forms.DateField(
                label=gettext("Expires on (%(n)s)") % {"n": n},
                required=n == 1,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"units_{n}"] = forms.IntegerField(
                label=gettext("Units (%(n)s)") % {"n": n},
                min_value=1,
                required=n == 1,
                initial=lot.units_left if n == 1 else None,
            )

    def clean(self):
        data = super().clean()
        for n in range(1, self.PARTS + 1):
            if bool(data.get(f"expires_{n}")) != bool(data.get(f"units_{n}")):
                self.add_error(f"units_{n}", _("Give both a date and its units."))
        return data

    def parts(self) -> list[tuple[datetime.date, int]]:
        return [
            (self.cleaned_data[f"expires_{n}"], self.cleaned_data[f"units_{n}"])
            for n in range(1, self.PARTS + 1)
            if self.cleaned_data.get(f"expires_{n}")
        ]


class LotWriteOffForm(forms.Form):
    """Units to write off per lot (units_<pk>, 0 leaves a lot alone) and why
    (inventory.perishables.lot_write_off). A lot's units are checked by the
    service, under its lock: the page may be older than a sale."""

    REASONS = [
        ("expired", _("Expired")),
        ("damaged", _("Damaged")),
        ("other", _("Other")),
    ]

    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)
    detail = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        help_text=_("Required for “Other”: what happened."),
    )

    def __init__(self, *args, lots: list[Lot], today, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        for lot in lots:
            expired = lot.expires_on is not None and lot.expires_on < today
            self.fields[f"units_{lot.pk}"] = forms.IntegerField(
                label=lot_label(lot, today),
                min_value=0,
                initial=lot.units_left if expired else 0,
            )
        if any(lot.expires_on is not None and lot.expires_on < today for lot in lots):
            self.fields["reason"].initial = "expired"

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not data.get("detail", "").strip():
            self.add_error("detail", _("Say what happened."))
        if not self.errors and not self.units():
            raise forms.ValidationError(
                _("Give the units to write off of at least one lot.")
            )
        return data

    def units(self) -> dict[int, int]:
        """{lot id: units} of the lots with units to write off."""
        return {
            lot.pk: self.cleaned_data[f"units_{lot.pk}"]
            for lot in self.lots
            if self.cleaned_data.get(f"units_{lot.pk}")
        }

    def reason_text(self) -> str:
        """The ledger note: the reason in the manager's words, and details."""
        label = dict(self.REASONS)[self.cleaned_data["reason"]]
        detail = self.cleaned_data["detail"].strip()
        return f"{label}: {detail}" if detail else str(label)

    def rows(self):
        """(lot, its field) for the page's table."""
        return [(lot, self[f"units_{lot.pk}"]) for lot in self.lots]


def lot_label(lot: Lot, today) -> str:
    """ "Leite 1L (MILK), expired 27/11/2026, 6 left"."""
    product = f"{lot.product.name} ({lot.product.sku})"
    if lot.expires_on is None:
        when = gettext("expiry unknown")
    else:
        day = date_format(lot.expires_on, "SHORT_DATE_FORMAT")
        when = (
            gettext("expired %(date)s")
            if lot.expires_on < today
            else gettext("expires %(date)s")
        ) % {"date": day}
    return gettext("%(product)s, %(when)s, %(units)s left") % {
        "product": product,
        "when": when,
        "units": lot.units_left,
    }
