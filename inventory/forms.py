from django import forms

from inventory.models import Product, Supplier


class ProductImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV, UTF-8. Columns: sku, name, price, stock, reorder_point; "
        "optional: barcode, category, cost, par_level, supplier."
    )


class _PerProductForm(forms.Form):
    """A form with one quantity field per product, named qty_<pk>."""

    min_quantity = 0

    def __init__(self, *args, products: list[Product], **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        for product in products:
            self.fields[f"qty_{product.pk}"] = forms.IntegerField(
                label=f"{product.name} ({product.sku}), now {product.stock}",
                min_value=self.min_quantity,
                initial=self.initial_quantity(product),
            )

    def initial_quantity(self, product: Product) -> int | None:
        return None

    def quantities(self) -> dict[int, int]:
        return {p.pk: self.cleaned_data[f"qty_{p.pk}"] for p in self.products}


class ReceiptForm(_PerProductForm):
    min_quantity = 1

    supplier = forms.ModelChoiceField(Supplier.objects.all(), required=False)
    reference = forms.CharField(
        max_length=64, required=False, help_text="The delivery note's number."
    )

    def initial_quantity(self, product: Product) -> int | None:
        return max(product.par_level - product.stock, 1)


class StocktakeForm(_PerProductForm):
    note = forms.CharField(
        max_length=255, help_text="Why the count differs (breakage, theft, …)."
    )

    def initial_quantity(self, product: Product) -> int:
        return product.stock
