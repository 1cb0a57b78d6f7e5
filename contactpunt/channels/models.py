"""Email intake and delivery: the mailboxes, every raw message as it arrived, and the outbox.

An InboundMail row is written before a message is processed, so a message that fails to process is never lost:
it stays with its error and is retried. An OutboundMessage is one reply to send; senders claim it with a
conditional UPDATE, so two workers never send the same reply twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import Channel


class Mailbox(models.Model):
    """A support address: read over IMAP into a queue, replies sent over SMTP."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(_("address"), unique=True, help_text=_("The address customers write to."))
    queue = models.ForeignKey(
        "contacts.Queue", on_delete=models.PROTECT, related_name="mailboxes", verbose_name=_("queue")
    )
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True, default="")
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True, default="")
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True, default="")
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    smtp_host = models.CharField(_("SMTP host"), max_length=255, blank=True, default="")
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_user = models.CharField(_("SMTP user"), max_length=255, blank=True, default="")
    smtp_password = models.CharField(_("SMTP password"), max_length=255, blank=True, default="")
    smtp_starttls = models.BooleanField(_("SMTP STARTTLS"), default=True)
    smtp_ssl = models.BooleanField(_("SMTP over TLS (port 465)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Where polling stopped: UIDs are only comparable under the same UIDVALIDITY.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False, verbose_name=_("IMAP UIDVALIDITY"))
    imap_last_uid = models.BigIntegerField(default=0, editable=False, verbose_name=_("last IMAP UID"))
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True, editable=False)
    last_poll_error = models.TextField(_("last polling error"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def clean(self) -> None:
        if self.smtp_ssl and self.smtp_starttls:
            raise ValidationError(_("Choose STARTTLS or TLS for SMTP, not both."))

    @property
    def source(self) -> str:
        """Return the source of the contacts read from this mailbox (idempotency is per source)."""
        return mailbox_source(self.address)


def mailbox_source(address: str) -> str:
    """Return the contact source for a mailbox address."""
    return f"email:{address.strip().casefold()}"[:100]


def queue_import_source(queue_code: str) -> str:
    """Return the contact source of mail imported straight into a queue, without a mailbox."""
    return f"email-import:{queue_code}"[:100]


class MailState(models.TextChoices):
    PENDING = "pending", _("pending")
    IMPORTED = "imported", _("imported: new case")
    JOINED = "joined", _("joined an existing case")
    AUTO_REPLY = "auto_reply", _("automatic reply")
    BOUNCE = "bounce", _("bounce")
    LOOP = "loop", _("mail loop")
    FAILED = "failed", _("failed")


class InboundMail(models.Model):
    """One received message exactly as it arrived, and what became of it. Unique on (source, external_id).

    `state` FAILED with `next_retry_at` set is retried; FAILED without it is a permanent rejection (an empty or
    unreadable message, a contact the inbound service refused), kept with its error for an admin to look at.
    """

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("mailbox")
    )
    queue = models.ForeignKey("contacts.Queue", on_delete=models.PROTECT, related_name="+", verbose_name=_("queue"))
    source = models.CharField(max_length=100, verbose_name=_("source"))
    external_id = models.CharField(
        max_length=255, help_text=_("The Message-ID, or sha256:<hex> of the bytes."), verbose_name=_("external id")
    )
    raw = models.BinaryField(help_text=_("The message as received, byte for byte."), verbose_name=_("raw message"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))
    state = models.CharField(
        max_length=12, choices=MailState.choices, default=MailState.PENDING, verbose_name=_("state")
    )
    kind_reason = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text=_("The header that made it an automatic reply or bounce."),
        verbose_name=_("why this kind"),
    )
    sender = models.CharField(max_length=320, blank=True, default="", verbose_name=_("sender"))
    subject = models.CharField(max_length=300, blank=True, default="", verbose_name=_("subject"))
    problems = models.JSONField(
        default=list, blank=True, help_text=_("What the parser found wrong."), verbose_name=_("problems")
    )
    error = models.TextField(blank=True, default="", verbose_name=_("error"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_retry_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next retry at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(
        "contacts.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The case the message belongs to; for automatic replies and bounces, the case they answer."),
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="inbound_mail_source_external_id_unique")
        ]
        indexes = [models.Index(fields=["state", "next_retry_at"], name="inbound_mail_retry_idx")]

    def __str__(self) -> str:
        return f"{self.subject or self.external_id} ({self.state})"


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class OutboundMessage(models.Model):
    """One reply to send. A sender claims it (QUEUED -> SENDING) with a conditional UPDATE.

    `message_id` is chosen when the row is made, so a retried send carries the same Message-ID and the customer's
    reply threads the same way whichever attempt got through.
    """

    # A notice about no case (a journey moment's message) has none: it names its customer instead.
    case = models.ForeignKey(
        "contacts.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox", verbose_name=_("mailbox")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL, verbose_name=_("channel"))
    to = models.CharField(max_length=320, verbose_name=_("to"))
    subject = models.CharField(max_length=500, blank=True, default="", verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    in_reply_to = models.CharField(max_length=500, blank=True, default="", verbose_name=_("in reply to"))
    references = models.TextField(blank=True, default="", verbose_name=_("references"))
    message_id = models.CharField(max_length=255, unique=True, verbose_name=_("message id"))
    state = models.CharField(
        max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED, verbose_name=_("state")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    error = models.TextField(blank=True, default="", verbose_name=_("error"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbound_due_idx")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject} ({self.state})"

    def is_due(self, now: dt.datetime) -> bool:
        """True when the message waits to be sent and its time has come."""
        return self.state == OutboundState.QUEUED and self.next_attempt_at <= now


from contactpunt.channels.meta.models import *  # noqa: E402, F403
from contactpunt.channels.webchat.models import *  # noqa: E402, F403
