from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, Supplier


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV, UTF-8. Columns: sku, name, price, stock, reorder_point; "
            "optional: barcode, category, cost, par_level, supplier, "
            "age_restricted, attendant_only (yes/no), pack_size."
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

    def initial_quantity(self, product: Product) -> int | None:
        """What the replenishment rule would order (products come annotated
        by inventory.selectors.with_replenishment)."""
        return max(product.suggested_qty, 1)


class StocktakeForm(_PerProductForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        help_text=_("Why the count differs (breakage, theft, …)."),
    )

    def initial_quantity(self, product: Product) -> int:
        return product.stock
