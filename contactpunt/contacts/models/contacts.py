"""Contacts (one interaction each), their legs through queues, their messages and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models.cases import Case
from contactpunt.contacts.models.routing import Channel, Queue


class Direction(models.TextChoices):
    INBOUND = "inbound", _("inbound")
    OUTBOUND = "outbound", _("outbound")


class Identification(models.TextChoices):
    KNOWN = "known", _("known customer")
    NEW = "new", _("new customer")
    UNKNOWN = "unknown", _("unknown sender")
    AMBIGUOUS = "ambiguous", _("ambiguous: the agent decides")


class ContactStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    IN_PROGRESS = "in_progress", _("in progress")
    HANDLED = "handled", _("handled")
    ABANDONED = "abandoned", _("abandoned")
    IVR_ONLY = "ivr_only", _("ended in the voice menu")
    SENT = "sent", _("sent")


class FallbackReason(models.TextChoices):
    """Why a contact landed in its channel's fallback queue instead of the queue it asked for."""

    UNKNOWN_QUEUE = "unknown_queue", _("the queue it asked for does not exist")
    INACTIVE_QUEUE = "inactive_queue", _("the queue it asked for is not active")
    WRONG_CHANNEL = "wrong_channel", _("the queue it asked for takes another channel")
    NO_QUEUE = "no_queue", _("no queue takes this channel")


def waiting_condition(prefix: str = "") -> models.Q:
    """What makes a contact wait for an agent, on the contact `prefix` leads to: inbound, and on phone and chat still
    queued (not answered yet), on written channels without a reply yet (queued or opened by an agent). A waiting
    contact of an open case counts as *waiting* on every screen (`contacts.inbox.waiting_contacts`)."""
    realtime = list(Channel.realtime())
    written = [c for c in Channel.values if c not in realtime]
    # The same test on one contact in Python: `Contact.waits`.
    return models.Q((f"{prefix}direction", Direction.INBOUND)) & (
        models.Q((f"{prefix}channel__in", realtime), (f"{prefix}status", ContactStatus.QUEUED))
        | models.Q(
            (f"{prefix}status__in", [ContactStatus.QUEUED, ContactStatus.IN_PROGRESS]),
            (f"{prefix}channel__in", written),
        )
    )


class Contact(models.Model):
    """One interaction on one channel. Idempotent on (source, external_id)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    customer = models.ForeignKey(  # indexed by contact_customer_idx
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts", db_index=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.INBOUND)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="contacts")
    status = models.CharField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.QUEUED)
    identification = models.CharField(max_length=10, choices=Identification.choices)
    source = models.CharField(max_length=100, help_text=_("The mailbox, telephone platform, number or API token."))
    external_id = models.CharField(max_length=255, null=True, blank=True)
    sender = models.CharField(
        _("sender"),
        max_length=320,
        blank=True,
        default="",
        help_text=_("The address or number as the channel gave it."),
    )
    is_public = models.BooleanField(default=False, help_text=_("A public social post or comment."))
    ivr_path = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField(help_text=_("When the contact arrived (queued for inbound)."))
    recorded_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    fallback_reason = models.CharField(
        _("in the fallback queue because"),
        max_length=20,
        choices=FallbackReason.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_("Set when no queue fitted and the contact landed in its channel's fallback queue."),
    )
    asked_queue = models.CharField(
        _("queue asked for"),
        max_length=255,
        blank=True,
        default="",
        db_default="",
        help_text=_("The code it came with."),
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="contact_source_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_at"], name="contact_occurred_idx"),
            models.Index(fields=["customer", "occurred_at"], name="contact_customer_idx"),
            models.Index(fields=["status", "queue"], name="contact_status_queue_idx"),
        ]

    @property
    def waits(self) -> bool:
        """Whether this contact waits for an agent (`waiting_condition`, on the instance in hand)."""
        if self.direction != Direction.INBOUND:
            return False
        if self.channel in Channel.realtime():
            return self.status == ContactStatus.QUEUED
        return self.status in (ContactStatus.QUEUED, ContactStatus.IN_PROGRESS)


class ContactLeg(models.Model):
    """One pass of a call or chat through a queue and an agent; a transfer starts a new leg."""

    # Indexed by leg_sequence_unique, which starts with it.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="legs", db_index=False)
    sequence = models.PositiveSmallIntegerField()
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="legs")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="legs"
    )
    queued_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contact", "sequence"]
        constraints = [models.UniqueConstraint(fields=["contact", "sequence"], name="leg_sequence_unique")]


class Message(models.Model):
    """The text of a contact, with the raw original exactly as it arrived."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", db_index=False
    )  # message_case_idx
    direction = models.CharField(max_length=10, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_internal = models.BooleanField(default=False, help_text=_("An internal note, never sent to the customer."))
    subject = models.CharField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    raw = models.BinaryField(null=True, blank=True, help_text=_("The original: MIME bytes, a JSON payload."))
    raw_content_type = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_idx")]


def attachment_path(instance: Attachment, filename: str) -> str:
    """Store under a random name without the customer's extension: the customer's file name (kept in `filename`)
    may be anything, and a stored `.html` or `.svg` is one misconfigured web server away from running."""
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Withheld(models.TextChoices):
    """Why an attachment that came with a message was not stored (the message itself always is)."""

    TOO_LARGE = "too_large", _("larger than allowed")
    TYPE_NOT_ALLOWED = "type_not_allowed", _("type not allowed")


class Attachment(models.Model):
    """A file that came with a message. A withheld attachment keeps its name, type, size and the reason, not its
    content (`file` empty): the agent sees that the customer sent something that was kept out, and why."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=attachment_path, max_length=255, blank=True)
    withheld = models.CharField(max_length=20, choices=Withheld.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    @property
    def is_withheld(self) -> bool:
        return bool(self.withheld)
