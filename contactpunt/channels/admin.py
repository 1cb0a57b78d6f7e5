"""Admin for mailboxes, the received mail (with its state and error visible) and the outbox."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    readonly_fields = ["message_id", "in_reply_to", "references", "attempts", "error", "claimed_at", "sent_at"]
    actions = ["send_again"]

    @admin.action(description=_("Send again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        queryset.filter(state=OutboundState.FAILED).update(
            state=OutboundState.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )
