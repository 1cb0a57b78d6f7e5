"""The audit log: who changed what, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change made by a person or an integration. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_label = models.CharField(
        max_length=150,
        blank=True,
        default="",
        help_text=_("Who acted when it was not a user: an integration, a command."),
        verbose_name=_("by"),
    )
    action = models.CharField(max_length=60, verbose_name=_("action"))
    object_type = models.CharField(max_length=60, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("moment"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
