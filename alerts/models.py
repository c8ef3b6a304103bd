from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

international_phone = RegexValidator(
    r"^\+[1-9]\d{7,14}$",
    _("A phone number in international form, like +5511987654321."),
)


class Recipient(models.Model):
    """Who hears about low stock, and how. With PITSTOP_ALERTS=aws each one is
    subscribed to the SNS topic (e-mail, SMS), filtered by kind of alert."""

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("phone for SMS"),
        max_length=16,
        blank=True,
        validators=[international_phone],
    )
    whatsapp = models.CharField(
        _("WhatsApp number"),
        max_length=16,
        blank=True,
        validators=[international_phone],
    )
    wants_immediate = models.BooleanField(
        _("immediate alerts"), default=True, help_text=_("When a product runs low.")
    )
    wants_digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("With each report: what to restock."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    email_subscription_arn = models.CharField(
        _("e-mail subscription ARN"), max_length=255, blank=True
    )
    sms_subscription_arn = models.CharField(
        _("SMS subscription ARN"), max_length=255, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | ~Q(whatsapp=""),
                name="recipient_has_a_channel",
                violation_error_message=_(
                    "Give an e-mail, a phone or a WhatsApp number."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        """The alert kinds this recipient wants, as the alert function names them."""
        return [
            kind
            for kind, wanted in (
                ("immediate", self.wants_immediate),
                ("digest", self.wants_digest),
            )
            if wanted
        ]


class Delivery(models.Model):
    """Local mode's outbox: one row per stored manifest or low-stock event to
    alert on, pending until the alert is sent (or found sent already), retried
    until then, failed after an hour (docs/reliability.md)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        SENT = "sent", pgettext_lazy("delivery status", "Sent")
        SKIPPED = "skipped", _("Nothing to send")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")

    key = models.CharField(_("stored object"), max_length=255, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Failed tries.")
    )
    error = models.TextField(_("error"), blank=True, help_text=_("The last failure."))
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    retry_at = models.DateTimeField(
        _("retry at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Not sent by then: the sweep queues it again."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
