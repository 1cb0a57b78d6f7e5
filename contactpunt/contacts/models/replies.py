"""Response templates, @mentions in internal notes, and deliveries that failed and wait for a retry."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models.contacts import Message
from contactpunt.contacts.models.routing import Channel, ContactReason
from contactpunt.contacts.template_variables import (
    TEMPLATE_VARIABLE,
    TEMPLATE_VARIABLES,
    TEMPLATE_VARIABLES_NL,
    variable_names,
)


class TemplateLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class ResponseTemplate(models.Model):
    """A canned reply in one language with variables ({customer_name}, {case_token}, {agent_name}, ...) filled
    when used, offered on a channel and for a contact reason (empty: any). The Dutch and English versions of
    a template share its name. A retired template is kept (history) but no longer offered."""

    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=2, choices=TemplateLanguage.choices, default=TemplateLanguage.DUTCH
    )
    text = models.TextField(_("text"))
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True, default="", help_text=_("Empty: any channel.")
    )
    reason = models.ForeignKey(
        ContactReason,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact reason"),
        help_text=_("Empty: any contact reason."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))
    retired_at = models.DateTimeField(null=True, blank=True, verbose_name=_("retired at"))

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="response_template_name_language_unique")
        ]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def unknown_variables(self) -> list[str]:
        """The {names} in the text that are no template variable, in order of first use."""
        found = TEMPLATE_VARIABLE.findall(self.text)
        known = {*TEMPLATE_VARIABLES, *TEMPLATE_VARIABLES_NL}
        return list(dict.fromkeys(name for name in found if name not in known))

    def clean(self) -> None:
        unknown = self.unknown_variables()
        if unknown:
            raise ValidationError(
                {
                    "text": _("Unknown variable %(unknown)s; the variables are %(known)s.")
                    % {
                        "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                        "known": ", ".join(f"{{{name}}}" for name in variable_names()),
                    }
                }
            )


class Mention(models.Model):
    """A colleague named with @username in an internal note."""

    # Indexed by mention_unique and mention_user_idx, which start with them.
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="mention_unique")]
        indexes = [models.Index(fields=["user", "seen_at"], name="mention_user_idx")]


class FailedDelivery(models.Model):
    """Announcements a subscriber failed on (an exception, the database gone, an enqueue refused): kept with the
    subscriber's name and retried by a periodic job until it succeeds, so no figure or analysis silently misses
    them. Ids only, like the announcements themselves."""

    announcement = models.CharField(max_length=40)
    subscriber = models.CharField(max_length=200, help_text="The subscriber's module and name.")
    ids = models.JSONField(default=list, help_text="The ids of each announcement, as announced.")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="faileddelivery_next_idx")]

    def __str__(self) -> str:
        return f"{self.announcement} → {self.subscriber}"
