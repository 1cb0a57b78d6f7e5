"""Meta channels (WhatsApp Cloud API, Facebook Messenger and page comments, Instagram messages and comments).

A MetaApp is the app registered with Meta: its webhook (verify token, app secret) receives the notifications of
every account connected to it. A MetaAccount is one Facebook page, Instagram account or WhatsApp phone number,
with the queue its contacts go to and the access token replies are sent with. Every webhook body is stored raw
(WebhookDelivery) before it is processed, so nothing is lost when processing fails; a failed one is retried.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DeliveryStatus",
    "DeliveryStatusName",
    "MetaAccount",
    "MetaApp",
    "MetaSent",
    "Platform",
    "WebhookDelivery",
    "WebhookState",
    "WhatsAppTemplate",
    "WhatsAppTemplateSend",
]

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
#: WhatsApp's customer service window: free-form replies only this long after the customer's last message.
WHATSAPP_WINDOW = dt.timedelta(hours=24)


class MetaApp(models.Model):
    """An app registered with Meta: the webhook endpoint /channels/meta/webhook/<app_id>/ and its secrets."""

    name = models.CharField(_("name"), max_length=100)
    app_id = models.CharField(_("app id"), max_length=64, unique=True)
    app_secret = models.CharField(
        _("app secret"), max_length=255, help_text=_("Signs every webhook (X-Hub-Signature-256).")
    )
    verify_token = models.CharField(
        _("verify token"), max_length=255, help_text=_("The token you typed in Meta's webhook settings.")
    )
    graph_url = models.URLField(_("Graph API address"), default=DEFAULT_GRAPH_URL)
    graph_version = models.CharField(_("Graph API version"), max_length=10, default=DEFAULT_GRAPH_VERSION)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Meta app")
        verbose_name_plural = _("Meta apps")

    def __str__(self) -> str:
        return f"{self.name} ({self.app_id})"


class Platform(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    FACEBOOK = "facebook", _("Facebook page")
    INSTAGRAM = "instagram", _("Instagram account")


class MetaAccount(models.Model):
    """One Facebook page, Instagram account or WhatsApp phone number connected to an app."""

    app = models.ForeignKey(MetaApp, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("app"))
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100)
    account_id = models.CharField(
        _("account id"), max_length=64, help_text=_("The page id, Instagram account id or WhatsApp phone number id.")
    )
    business_account_id = models.CharField(_("WhatsApp business account id"), max_length=64, blank=True, default="")
    queue = models.ForeignKey(
        "contacts.Queue", on_delete=models.PROTECT, related_name="meta_accounts", verbose_name=_("queue")
    )
    access_token = models.CharField(_("access token"), max_length=1000, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Meta account")
        verbose_name_plural = _("Meta accounts")
        constraints = [
            models.UniqueConstraint(fields=["platform", "account_id"], name="meta_account_platform_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def source(self) -> str:
        """The contact source of this account (idempotency of contacts is per source)."""
        return account_source(self.platform, self.account_id)


def account_source(platform: str, account_id: str) -> str:
    """Return the contact source of a Meta account."""
    return f"{platform}:{account_id}"[:100]


class WebhookState(models.TextChoices):
    PENDING = "pending", _("pending")
    PROCESSED = "processed", _("processed")
    FAILED = "failed", _("failed")
    REJECTED = "rejected", _("rejected")


class WebhookDelivery(models.Model):
    """One webhook body exactly as it arrived, and what became of it.

    FAILED with `next_retry_at` is retried; REJECTED (not JSON, not an object) is kept for an admin to look at.
    """

    app = models.ForeignKey(MetaApp, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("app"))
    body = models.BinaryField(help_text=_("The body as received, byte for byte."), verbose_name=_("body"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    state = models.CharField(
        max_length=10, choices=WebhookState.choices, default=WebhookState.PENDING, verbose_name=_("state")
    )
    error = models.TextField(blank=True, default="", verbose_name=_("error"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_retry_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next retry at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    summary = models.JSONField(
        default=dict, blank=True, help_text=_("How many contacts, duplicates and statuses."), verbose_name=_("summary")
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Meta webhook")
        verbose_name_plural = _("Meta webhooks")
        indexes = [models.Index(fields=["state", "next_retry_at"], name="meta_webhook_retry_idx")]

    def __str__(self) -> str:
        return f"{self.app_id} {self.received_at:%Y-%m-%d %H:%M:%S} ({self.state})"


class MetaSent(models.Model):
    """The platform's id of a sent reply, so that its delivery statuses find it."""

    outbound = models.OneToOneField(
        "channel_adapters.OutboundMessage", on_delete=models.CASCADE, related_name="meta_sent"
    )
    account = models.ForeignKey(MetaAccount, on_delete=models.PROTECT, related_name="+")
    platform_message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sent Meta message")
        verbose_name_plural = _("sent Meta messages")


class DeliveryStatusName(models.TextChoices):
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    READ = "read", _("read")
    FAILED = "failed", _("failed")


class DeliveryStatus(models.Model):
    """A delivery or read status the platform reported for a sent reply. Idempotent on (message id, status).

    Kept beside the contact event log (which holds the agent-side events of DESIGN.md) rather than as new event
    names, so the metric definitions over the log stay as they are.
    """

    platform_message_id = models.CharField(max_length=255, verbose_name=_("platform message id"))
    status = models.CharField(max_length=10, choices=DeliveryStatusName.choices, verbose_name=_("status"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_statuses",
        verbose_name=_("contact"),
    )
    error = models.CharField(max_length=500, blank=True, default="", verbose_name=_("error"))

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("delivery status")
        verbose_name_plural = _("delivery statuses")
        constraints = [models.UniqueConstraint(fields=["platform_message_id", "status"], name="meta_status_unique")]


class WhatsAppTemplate(models.Model):
    """A message template approved by WhatsApp: the only thing that may be sent outside the 24-hour window."""

    account = models.ForeignKey(
        MetaAccount, on_delete=models.CASCADE, related_name="templates", verbose_name=_("account")
    )
    name = models.CharField(_("template name"), max_length=512)
    language = models.CharField(_("language"), max_length=15, default="nl")
    text = models.TextField(
        _("text"), help_text=_("The approved text with {{1}}, {{2}}, ... where the variables go (shown to agents).")
    )
    variables = models.JSONField(_("variables"), default=list, blank=True, help_text=_("A label per variable."))
    is_approved = models.BooleanField(_("approved"), default=True)

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")
        constraints = [models.UniqueConstraint(fields=["account", "name", "language"], name="whatsapp_template_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def render(self, values: list[str]) -> str:
        """Return the text with the variables filled in ({{1}} is values[0])."""
        text = self.text
        for number, value in enumerate(values, start=1):
            text = text.replace("{{" + str(number) + "}}", value)
        return text


class WhatsAppTemplateSend(models.Model):
    """Marks an outbox row as a template message, with the values of its variables."""

    outbound = models.OneToOneField(
        "channel_adapters.OutboundMessage", on_delete=models.CASCADE, related_name="whatsapp_template"
    )
    template = models.ForeignKey(WhatsAppTemplate, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=list, blank=True)
