import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from purchasing.models import PurchaseOrder


class ReceiveForm(forms.Form):
    """A delivery against an order: one quantity per line (blank is none) and
    for a perishable product its expiry date, an optional product not on the
    order, and a note (required for more than was ordered). The key makes a
    double submit book once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("The delivery note's number; why more arrived than ordered."),
    )
    extra_sku = forms.CharField(
        label=_("Product not on the order (SKU)"), max_length=32, required=False
    )
    extra_qty = forms.IntegerField(label=_("Its quantity"), required=False)
    add_to_order = forms.BooleanField(
        label=_("Add it to the order"),
        required=False,
        help_text=_("Tick to accept a product that was not ordered."),
    )
    extra_expires_on = forms.DateField(
        label=_("Its expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a product that tracks expiry."),
    )
    allow_past_expiry = forms.BooleanField(
        label=_("Accept expiry dates in the past"),
        required=False,
        help_text=_(
            "Only to book units that arrived already expired: they cannot be "
            "sold, write them off."
        ),
    )

    def __init__(self, *args, order: PurchaseOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.lines = list(order.lines.all())
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        for line in self.lines:
            label = f"{line.product.name} ({line.product.sku})"
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=label,
                required=False,
                widget=forms.NumberInput(
                    attrs={"data-sku": line.product.sku, "class": "vIntegerField"}
                ),
            )
            if line.product.tracks_expiry:
                self.fields[f"expires_{line.pk}"] = forms.DateField(
                    label=_("%(product)s: expires on") % {"product": label},
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )

    def rows(self):
        """(line, its quantity field, its expiry field or None) for the
        template."""
        return [
            (
                line,
                self[f"qty_{line.pk}"],
                self[f"expires_{line.pk}"] if line.product.tracks_expiry else None,
            )
            for line in self.lines
        ]

    def clean(self):
        data = super().clean()
        lines = []
        over = []
        for line in self.lines:
            qty = data.get(f"qty_{line.pk}")
            if qty is None or qty == 0:
                continue
            if qty < 0:
                self.add_error(f"qty_{line.pk}", _("A quantity cannot be negative."))
                continue
            lines.append((line.product.sku, qty, data.get(f"expires_{line.pk}")))
            if qty > line.missing:
                over.append(line.product.sku)
        sku, qty = (data.get("extra_sku") or "").strip(), data.get("extra_qty")
        if sku or qty:
            if not sku or not qty or qty < 1:
                raise forms.ValidationError(
                    _(
                        "A product not on the order needs its SKU and a quantity of 1 "
                        "or more."
                    )
                )
            lines.append((sku, qty, data.get("extra_expires_on")))
        if not lines and not self.errors:
            raise forms.ValidationError(_("Type what arrived: at least one quantity."))
        if over and not data.get("note", "").strip():
            self.add_error(
                "note",
                _("More than ordered arrived (%(skus)s): say why in the note.")
                % {"skus": ", ".join(over)},
            )
        data["lines"] = lines
        return data
