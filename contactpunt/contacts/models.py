"""Cases, contacts, messages, the append-only event log, and the queues they flow through.

A Case is one customer question, possibly over several channels. A Contact is one interaction
(a call with a leg per queue and agent it passed through, a chat session, one email, one social or
WhatsApp message, one outbound reply). The ContactEvent log is the single source of truth for
every metric; it holds ids and timestamps only, so erasing a customer leaves it intact.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cached_property

import holidays as holidays_lib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.template_variables import (
    TEMPLATE_VARIABLE,
    TEMPLATE_VARIABLES,
    TEMPLATE_VARIABLES_NL,
    variable_names,
)


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    CHAT = "chat", _("web chat")
    SOCIAL = "social", _("social")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEBFORM = "webform", _("web form")

    @classmethod
    def realtime(cls) -> frozenset[str]:
        """The channels where a customer waits on the line (short abandons apply)."""
        return frozenset({cls.PHONE, cls.CHAT})


#: The first-response norm (business-hour seconds) of a written queue that sets none of its own: a working day for
#: e-mail and the web form, an hour on WhatsApp and social media, where customers expect a quick answer.
DEFAULT_RESPONSE_NORM_S: dict[str, int] = {
    Channel.EMAIL: 8 * 3600,
    Channel.WEBFORM: 8 * 3600,
    Channel.WHATSAPP: 3600,
    Channel.SOCIAL: 3600,
}


class ContactReason(models.Model):
    """A wrap-up code. Reasons form a tree; FCR and repeat contacts compare top-level reasons."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("contact reason")
        verbose_name_plural = _("contact reasons")

    def __str__(self) -> str:
        return self.name


class BusinessCalendar(models.Model):
    """Opening hours per weekday, closed on the public holidays of a country."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    holiday_country = models.CharField(_("holiday country"), max_length=2, default="NL")
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def _holidays(self) -> holidays_lib.HolidayBase:
        return holidays_lib.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)

    def is_holiday(self, day: dt.date) -> bool:
        """True when `day` is a public holiday of the calendar's country."""
        return day in self._holidays


class OpeningHours(models.Model):
    """One opening window on one weekday (0 = Monday); a day may have several windows."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="opens_before_closes")
        ]


class Queue(models.Model):
    """Where contacts wait for an agent, with its channel, required skills and norms."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    department = models.ForeignKey(
        "people.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="queues"
    )
    skills = models.ManyToManyField("people.Skill", blank=True, related_name="queues")
    sl_threshold_s = models.PositiveIntegerField(
        _("service-level threshold (s)"),
        default=20,
        help_text=_("Answered within this many seconds counts as within the service level."),
    )
    sl_target = models.DecimalField(_("service-level target"), max_digits=4, decimal_places=3, default=0.8)
    short_abandon_s = models.PositiveIntegerField(_("short-abandon threshold (s)"), default=5)
    response_norm_s = models.PositiveIntegerField(
        _("response norm (s)"),
        null=True,
        blank=True,
        help_text=_(
            "For written channels: first response within this many business-hour seconds. Empty: the channel's"
            " default (8 hours for e-mail and the web form, 1 hour for WhatsApp and social media)."
        ),
    )
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.SET_NULL, null=True, blank=True, related_name="queues"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_fallback = models.BooleanField(
        _("fallback queue"),
        default=False,
        db_default=False,
        help_text=_("Takes the contacts of its channel for which no queue fits, so none is refused."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"], condition=models.Q(is_fallback=True), name="queue_one_fallback_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_response_norm_s(self) -> int | None:
        """The first-response norm of a written queue: its own, else its channel's default
        (DEFAULT_RESPONSE_NORM_S); None on phone and chat, whose norm is the service-level threshold."""
        if self.channel in Channel.realtime():
            return None
        return self.response_norm_s or DEFAULT_RESPONSE_NORM_S.get(self.channel)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    PENDING = "pending", _("waiting for customer")
    RESOLVED = "resolved", _("resolved")
    MERGED = "merged", _("merged")


class Case(models.Model):
    """One customer question, possibly over several channels and contacts."""

    customer = models.ForeignKey(  # indexed by case_customer_idx, which starts with it
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", db_index=False
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(_("first channel"), max_length=10, choices=Channel.choices)
    reason = models.ForeignKey(ContactReason, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    product_type = models.ForeignKey(
        "customers.ProductType", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_cases"
    )
    previous_case = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_cases"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_cases"
    )
    opened_at = models.DateTimeField(_("opened at"), help_text=_("When the first contact of the case happened."))
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "queue", "opened_at"], name="case_inbox_idx"),
            models.Index(fields=["customer", "-opened_at"], name="case_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.token} {self.subject}".strip()

    @property
    def token(self) -> str:
        """The token that threads an email reply into this case when it is in the subject."""
        return f"[CP-{self.pk}]"

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.PENDING)

    @property
    def title(self) -> str:
        """What the case is called in lists and on its page: its subject; a case without one (a call, a chat, a
        WhatsApp or social message: channels without subjects) is named by its channel and customer ("Chat met
        Anna de Vries"), so the customer's first words are not repeated as a title. Reads the customer: load it
        with the case (select_related) in lists."""
        if self.subject:
            return self.subject
        customer = self.customer
        name = (customer.display_name if customer is not None else "") or gettext("an unknown customer")
        phrase = _TITLES.get(self.channel) or _TITLES[Channel.EMAIL]
        return str(phrase) % {"name": name}


_TITLES: dict[str, Promise] = {
    Channel.PHONE: _("Call with %(name)s"),
    Channel.CHAT: _("Chat with %(name)s"),
    Channel.WHATSAPP: _("WhatsApp message from %(name)s"),
    Channel.SOCIAL: _("Social media message from %(name)s"),
    Channel.EMAIL: _("E-mail from %(name)s"),
    Channel.WEBFORM: _("Web form from %(name)s"),
}


class CaseThreadKey(models.Model):
    """A key a later message may carry to join this case: an email Message-ID, a chat session,
    a social conversation id. Keys are namespaced by kind so that values from two systems never
    collide."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="thread_keys")
    key = models.CharField(max_length=500)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="thread_key_unique")]


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


class EventName(models.TextChoices):
    QUEUED = "queued", _("queued")
    PRESENTED = "presented", _("presented")
    ANSWERED = "answered", _("answered")
    HOLD_STARTED = "hold_started", _("hold started")
    HOLD_ENDED = "hold_ended", _("hold ended")
    TRANSFERRED = "transferred", _("transferred")
    ENDED = "ended", _("ended")
    WRAP_STARTED = "wrap_started", _("wrap-up started")
    WRAPPED = "wrapped", _("wrapped up")
    ABANDONED = "abandoned", _("abandoned")
    REPLIED = "replied", _("replied")
    RESOLVED = "resolved", _("resolved")
    REOPENED = "reopened", _("reopened")


class ContactEvent(models.Model):
    """One thing that happened to a contact or case. Append-only; a correction is a new event.

    Holds ids and timestamps only (no personal data). Idempotent on (source, external_id).
    """

    name = models.CharField(max_length=20, choices=EventName.choices)
    # Indexed by event_case_idx and event_contact_idx, which start with them (one index less to write each).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="events", db_index=False
    )
    leg = models.PositiveSmallIntegerField(default=0)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=100, blank=True, default="")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="event_source_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_at"], name="event_occurred_idx"),
            models.Index(fields=["contact", "occurred_at"], name="event_contact_idx"),
            models.Index(fields=["case", "occurred_at"], name="event_case_idx"),
        ]


class AgentState(models.TextChoices):
    AVAILABLE = "available", _("available")
    ON_CONTACT = "on_contact", _("on contact")
    WRAP_UP = "wrap_up", _("wrap-up")
    BREAK = "break", _("break")
    MEETING = "meeting", _("meeting")
    TRAINING = "training", _("training")
    OFFLINE = "offline", _("offline")


class AgentStateEvent(models.Model):
    """An agent entered a state at a moment; the state lasts until the agent's next event."""

    agent = models.ForeignKey(  # indexed by agent_state_idx
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_events", db_index=False
    )
    state = models.CharField(max_length=12, choices=AgentState.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=100, blank=True, default="")
    external_id = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="agent_state_source_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["agent", "occurred_at"], name="agent_state_idx")]


class WorkSession(models.Model):
    """An agent working a case in writing: from opening it to sending a reply or wrapping up."""

    agent = models.ForeignKey(  # indexed by work_session_agent_idx
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_sessions", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_sessions")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["agent", "started_at"], name="work_session_agent_idx")]


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
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

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
