"""A kiosk's sale is pending until its payment is confirmed: by the attendant
(PIN at the kiosk) or by the payment service (the signed webhook, kiosk/).
Both land here, the one writer of a sale's payment status."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pitstop.i18n import fill_lazy
from sales.exceptions import PaymentNotConfirmable
from sales.models import Sale


def sale_payment_confirm(
    *, sale_id: int, by: Sale.ConfirmedBy, reference: str = ""
) -> tuple[Sale, bool]:
    """Mark a pending sale paid, once; returns (sale, changed). Locks the
    sale row. Sale.DoesNotExist for an unknown sale.

    Already paid: the attendant again, or the payment service again with the
    same reference (a replay), change nothing. The payment service confirming
    a sale the attendant confirmed only records its reference. Any other
    payment for a paid sale, or a voided sale: PaymentNotConfirmable."""
    reference = reference.strip()
    with transaction.atomic(durable=True):
        sale = Sale.objects.select_for_update().get(pk=sale_id)
        if sale.status == Sale.Status.VOIDED:
            raise PaymentNotConfirmable(
                fill_lazy(_("Sale %(number)s was voided."), {"number": sale.pk}),
                code="voided",
            )
        if sale.payment_status == Sale.PaymentStatus.PENDING:
            sale.payment_status = Sale.PaymentStatus.PAID
            sale.paid_at = timezone.now()
            sale.payment_confirmed_by = by
            sale.payment_reference = reference
            sale.save(
                update_fields=[
                    "payment_status",
                    "paid_at",
                    "payment_confirmed_by",
                    "payment_reference",
                ]
            )
            return sale, True
        if by == Sale.ConfirmedBy.ATTENDANT:
            return sale, False
        if reference and reference == sale.payment_reference:
            return sale, False
        if sale.payment_confirmed_by == Sale.ConfirmedBy.ATTENDANT and (
            not sale.payment_reference
        ):
            sale.payment_reference = reference
            sale.save(update_fields=["payment_reference"])
            return sale, True
        raise _already_paid(sale)


def sale_payment_failed(*, sale_id: int) -> Sale:
    """The payment service says a payment for the sale failed: a pending sale
    stays pending (the customer may pay again, or call the attendant) and
    nothing changes; a paid or voided sale is PaymentNotConfirmable."""
    sale = Sale.objects.get(pk=sale_id)
    if sale.status == Sale.Status.VOIDED:
        raise PaymentNotConfirmable(
            fill_lazy(_("Sale %(number)s was voided."), {"number": sale.pk}),
            code="voided",
        )
    if sale.payment_status == Sale.PaymentStatus.PAID:
        raise _already_paid(sale)
    return sale


def _already_paid(sale: Sale) -> PaymentNotConfirmable:
    return PaymentNotConfirmable(
        fill_lazy(
            _("Sale %(number)s is already paid (%(by)s)."),
            {
                "number": sale.pk,
                "by": sale.payment_reference
                or sale.get_payment_confirmed_by_display()
                # A counter sale: paid when it was made.
                or sale.get_channel_display(),
            },
        ),
        code="already_paid",
    )
