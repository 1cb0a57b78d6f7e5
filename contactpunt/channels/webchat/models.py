"""A web chat conversation: the visitor's token, the case it became, and the visitor's message ids.

The token lives in the visitor's browser storage; whoever holds it may read the conversation's history, so it is
long and random. `ChatMessageKey` remembers every client-generated message id, so a message the widget sends again
(after a dropped connection) is recognised and not stored twice.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ChatConversation", "ChatMessageKey"]


class ChatConversation(models.Model):
    """One visitor's chat with the team, from the first message on; joined to one case."""

    token = models.CharField(max_length=64, unique=True)
    queue = models.ForeignKey("contacts.Queue", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("contacts.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    origin = models.CharField(_("site"), max_length=200, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    #: The widget's random self-service visitor id (no personal data): the knowledge base counts a chat that
    #: follows the articles it suggested to this visitor.
    visitor = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.origin})"

    @property
    def group(self) -> str:
        """The channel-layer group of the visitor's open widgets."""
        return f"webchat.{self.pk}"


class ChatMessageKey(models.Model):
    """A message id the visitor's widget generated, and the message it was stored as."""

    conversation = models.ForeignKey(ChatConversation, on_delete=models.CASCADE, related_name="message_keys")
    client_id = models.CharField(max_length=64)
    message = models.ForeignKey("contacts.Message", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "client_id"], name="chat_message_key_unique"),
        ]
