import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alerts.models import Delivery, Recipient
from alerts.selectors import alerts_sent, orders
from alerts.services import deliveries_retry
from alerts.tasks import (
    alert_object_task,
    recipient_subscriptions_sync_task,
    subscriptions_remove_task,
)
from pitstop.admin import ReadOnlyAdmin
from pitstop.outbox import enqueue_on_commit


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "whatsapp", "wants_immediate"]
    list_display += ["wants_digest", "is_active", "subscribed"]
    list_filter = ["is_active", "wants_immediate", "wants_digest"]
    search_fields = ["name", "email", "phone"]
    fields = ["name", "email", "phone", "whatsapp", "wants_immediate"]
    fields += ["wants_digest", "is_active"]
    change_list_template = "admin/alerts/recipient/change_list.html"

    @admin.display(boolean=True, description=gettext_lazy("on SNS"))
    def subscribed(self, recipient: Recipient) -> bool | None:
        if settings.PITSTOP_ALERTS != "aws":
            return None
        return bool(recipient.email_subscription_arn or recipient.sms_subscription_arn)

    # With alerts on AWS the topic's subscriptions follow the recipients; the
    # SNS calls run in a task after commit, never inside the admin's request.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if settings.PITSTOP_ALERTS == "aws":
            enqueue_on_commit(recipient_subscriptions_sync_task, obj.pk)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Recipient.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        arns = [
            arn
            for pair in queryset.values_list(
                "email_subscription_arn", "sms_subscription_arn"
            )
            for arn in pair
            if arn
        ]
        super().delete_queryset(request, queryset)
        if settings.PITSTOP_ALERTS == "aws" and arns:
            enqueue_on_commit(subscriptions_remove_task, arns)

    def get_urls(self):
        sent = path(
            "sent/",
            self.admin_site.admin_view(self.sent_view),
            name="alerts_recipient_sent",
        )
        return [sent, *super().get_urls()]

    def sent_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return render(
            request,
            "admin/alerts/recipient/sent.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Alerts sent and replenishment orders"),
                "sent": [
                    sent | {"sent_at": _moment(sent.get("sent_at"))}
                    for sent in alerts_sent()
                ],
                "orders": orders(),
                "mode": settings.PITSTOP_ALERTS,
            },
        )


def _moment(iso: str | None) -> datetime.datetime | str | None:
    """A marker's sent_at (ISO 8601, UTC) as a datetime, for the store's clock
    and date format; anything else as it is."""
    try:
        return datetime.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Local mode's alerts to send, one per stored manifest or event: pending,
    sent, nothing to send, or failed after an hour of retries."""

    list_display = ["key", "status", "attempts", "error", "created_at", "updated_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["key"]
    actions = ["try_again"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("alerts.change_delivery")

    @admin.action(description=gettext_lazy("Try again"), permissions=["retry"])
    def try_again(self, request, queryset):
        keys = deliveries_retry(ids=queryset.values_list("pk", flat=True))
        for key in keys:
            enqueue_on_commit(alert_object_task, key)
        messages.success(
            request,
            ngettext(
                "%(count)d failed alert queued again.",
                "%(count)d failed alerts queued again.",
                len(keys),
            )
            % {"count": len(keys)},
        )
