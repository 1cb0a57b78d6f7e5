"""Admin for mailboxes, the received mail (with its state and error visible), the outbox, and the Meta apps,
accounts (secrets write-only), templates, webhooks and delivery statuses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.channels.meta.models import (
    DEFAULT_GRAPH_URL,
    DeliveryStatus,
    MetaAccount,
    MetaApp,
    WebhookDelivery,
    WebhookState,
    WhatsAppTemplate,
)
from contactpunt.channels.models import InboundMail, Mailbox, MailState, OutboundMessage, OutboundState


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    list_display = ["name", "address", "queue", "imap_host", "smtp_host", "is_active", "last_polled_at"]
    list_filter = ["is_active", "queue"]
    readonly_fields = ["imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_poll_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "queue", "is_active"]}),
        (
            _("Incoming (IMAP)"),
            {"fields": ["imap_host", "imap_port", "imap_ssl", "imap_user", "imap_password", "imap_folder"]},
        ),
        (
            _("Outgoing (SMTP)"),
            {"fields": ["smtp_host", "smtp_port", "smtp_starttls", "smtp_ssl", "smtp_user", "smtp_password"]},
        ),
        (_("Polling"), {"fields": ["imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_poll_error"]}),
    ]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin[InboundMail]):
    list_display = ["received_at", "sender", "subject", "state", "kind_reason", "attempts", "next_retry_at", "case"]
    list_filter = ["state", "mailbox"]
    search_fields = ["sender", "subject", "external_id"]
    readonly_fields = [f.name for f in InboundMail._meta.get_fields() if f.concrete and f.name != "raw"]
    exclude = ["raw"]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Retry processing now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        queryset.filter(state=MailState.FAILED).update(next_retry_at=timezone.now())


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin[OutboundMessage]):
    list_display = ["created_at", "to", "subject", "state", "attempts", "sent_at", "error"]
    list_filter = ["state", "mailbox"]
    search_fields = ["to", "subject", "message_id"]
    # Replies are written by the outbox service only; here they are looked at and sent again. Every
    # field is read-only, so no form renders a dropdown of every case and contact.
    readonly_fields = [f.name for f in OutboundMessage._meta.get_fields() if f.concrete]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        queryset.filter(state=OutboundState.FAILED).update(
            state=OutboundState.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )


# -- Meta (WhatsApp, Facebook, Instagram) -------------------------------------------------------------


class _SecretsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Secrets are write-only: never rendered back; left empty, the stored value stays."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False)
            field.required = not (self.instance and self.instance.pk)
            if self.instance and self.instance.pk and getattr(self.instance, name):
                field.help_text = _("Stored. Leave empty to keep it; type a new one to replace it.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.secret_fields:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class MetaAppForm(_SecretsForm):
    secret_fields = ("app_secret", "verify_token")
    graph_url = forms.URLField(label=_("Graph API address"), assume_scheme="https", initial=DEFAULT_GRAPH_URL)

    class Meta:
        model = MetaApp
        fields = ["name", "app_id", "app_secret", "verify_token", "graph_url", "graph_version", "is_active"]


class MetaAccountForm(_SecretsForm):
    secret_fields = ("access_token",)

    class Meta:
        model = MetaAccount
        fields = ["app", "platform", "name", "account_id", "business_account_id", "queue", "access_token", "is_active"]


@admin.register(MetaApp)
class MetaAppAdmin(admin.ModelAdmin[MetaApp]):
    form = MetaAppForm
    list_display = ["name", "app_id", "webhook_url", "is_active"]

    @admin.display(description=_("webhook address"))
    def webhook_url(self, app: MetaApp) -> str:
        return reverse("channels:meta-webhook", args=[app.app_id])


@admin.register(MetaAccount)
class MetaAccountAdmin(admin.ModelAdmin[MetaAccount]):
    form = MetaAccountForm
    list_display = ["name", "platform", "account_id", "queue", "app", "is_active"]
    list_filter = ["platform", "is_active"]


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin[WhatsAppTemplate]):
    list_display = ["name", "language", "account", "is_approved"]
    list_filter = ["is_approved", "language"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["received_at", "app", "state", "attempts", "next_retry_at", "summary", "error"]
    list_filter = ["state", "app"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.get_fields() if f.concrete and f.name != "body"]
    exclude = ["body"]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Process again now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queryset.filter(state=WebhookState.FAILED).update(next_retry_at=timezone.now())


@admin.register(DeliveryStatus)
class DeliveryStatusAdmin(admin.ModelAdmin[DeliveryStatus]):
    list_display = ["occurred_at", "platform_message_id", "status", "contact", "error"]
    list_filter = ["status"]
    readonly_fields = ["platform_message_id", "status", "occurred_at", "recorded_at", "contact", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
