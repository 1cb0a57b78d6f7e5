"""Surveys (versioned wording per kind, channel, contact reason and language), the rules that decide who is asked,
invitations, answers and the follow-up of every detractor.

An answer keeps the survey version it answered: a new wording is a new `Survey` row, the old one is retired, never
edited. An invitation carries every dimension the figures are grouped by (case, contact, customer, agent, team,
site, queue, reason, channel) as they were when the case was resolved.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import Case, Channel, Contact, ContactReason, Queue
from contactpunt.customers.models import Customer
from contactpunt.people.models import Site, Team


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0-10)")
    CSAT = "csat", _("CSAT (1-5)")


#: The questions a survey's wording names; `score` is the NPS or CSAT question itself.
QUESTIONS = ("score", "solved", "expertise", "friendliness", "effort", "open")

#: The range of each answer: NPS 0-10, CSAT 1-5, expertise and friendliness 1-5, CES 1-7.
SCORE_RANGE = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}
RATING_RANGE = (1, 5)
EFFORT_RANGE = (1, 7)


class Survey(models.Model):
    """One version of the wording of a survey, for a channel and a contact reason (blank: any) and a language."""

    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices, default=SurveyKind.NPS)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True, default="")
    reason = models.ForeignKey(
        ContactReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    language = models.CharField(_("language"), max_length=8, default="nl")
    version = models.PositiveIntegerField(_("version"), default=1)
    questions = models.JSONField(_("questions"), help_text=_("The wording of each question, by question key."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "language", "channel", "version"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "reason", "language", "version"], name="survey_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} {self.channel or '*'} v{self.version}"

    def question(self, key: str) -> str:
        """The wording of question `key` ("" when this version does not ask it)."""
        return str(self.questions.get(key, ""))


class FeedbackSettings(models.Model):
    """The organisation's survey rules (one row)."""

    throttle_days = models.PositiveIntegerField(
        _("ask a person at most once in (days)"),
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    delay_minutes = models.PositiveIntegerField(_("delay after resolution (minutes)"), default=60)
    token_days = models.PositiveIntegerField(
        _("link valid for (days)"), default=28, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    follow_up_hours = models.PositiveIntegerField(_("follow up a detractor within (hours)"), default=48)
    default_rate = models.DecimalField(
        _("default sampling rate"),
        max_digits=4,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    default_kind = models.CharField(max_length=4, choices=SurveyKind.choices, default=SurveyKind.NPS)

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")


class QueueSurveyRule(models.Model):
    """The sampling rate and survey kind of one queue (queues without a rule use the settings' defaults)."""

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="+")
    rate = models.DecimalField(
        _("sampling rate"), max_digits=4, decimal_places=3, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    kind = models.CharField(max_length=4, choices=SurveyKind.choices, default=SurveyKind.NPS)
    second_wave_days = models.PositiveIntegerField(
        _("ask again after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("Ask the customers who answered again whether the solution lasted; empty: never."),
    )

    class Meta:
        verbose_name = _("survey rule of a queue")
        verbose_name_plural = _("survey rules of queues")


class SurveyOptOut(models.Model):
    """A customer who asked never to be surveyed."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class Medium(models.TextChoices):
    EMAIL = "email", _("e-mail link")
    SMS = "sms", _("SMS link")
    WHATSAPP = "whatsapp", _("WhatsApp link")
    CHAT = "chat", _("at the end of the chat")
    SOCIAL = "social", _("link in a private message")


class Undeliverable(models.TextChoices):
    """Why an invitation due to be sent was not sent (it never will be)."""

    NO_ADDRESS = "no_address", _("no address on a channel we can send on")
    OPTED_OUT = "opted_out", _("the customer asked not to be surveyed")
    ERASED = "erased", _("the customer's data was erased")
    TOO_LATE = "too_late", _("its moment passed days ago (asking now would be about an old contact)")


class Invitation(models.Model):
    """The decision to ask one customer about one resolved case, and what happened to the question since."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    reason = models.ForeignKey(ContactReason, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    language = models.CharField(max_length=8, default="nl")
    #: 1 right after the case, 2 the later "did the solution last?" question.
    wave = models.PositiveSmallIntegerField(default=1)
    decided_at = models.DateTimeField()
    send_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    #: The outbox reference of the message that carried the link (its delivery is read from the outbox).
    outbound_ref = models.CharField(max_length=255, blank=True, default="")
    undeliverable = models.CharField(max_length=12, choices=Undeliverable.choices, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "wave"], name="invitation_case_wave_unique")]
        indexes = [
            models.Index(fields=["customer", "decided_at"], name="invitation_customer_idx"),
            models.Index(fields=["send_at"], name="invitation_send_idx"),
            # The response funnel counts the invitations decided in a period.
            models.Index(fields=["decided_at"], name="invitation_decided_idx"),
        ]

    def is_expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at


class Answer(models.Model):
    """What the customer answered, stored only on their explicit submit; never changed afterwards."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="answer")
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField()
    solved = models.BooleanField(null=True, blank=True)
    expertise = models.PositiveSmallIntegerField(null=True, blank=True)
    friendliness = models.PositiveSmallIntegerField(null=True, blank=True)
    effort = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Customer effort, 1-7."))
    comment = models.TextField(blank=True, default="")
    answered_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["answered_at"], name="answer_answered_idx")]

    @property
    def is_detractor(self) -> bool:
        return self.kind == SurveyKind.NPS and self.score <= 6

    @property
    def is_promoter(self) -> bool:
        return self.kind == SurveyKind.NPS and self.score >= 9

    @property
    def is_happy(self) -> bool:
        """A promoter (NPS 9-10) or a CSAT 5: who may be thanked (`kind_words` is the same test for a query)."""
        return self.is_promoter or (self.kind == SurveyKind.CSAT and self.score == 5)

    @property
    def needs_follow_up(self) -> bool:
        """A detractor (NPS 0-6) or an unhappy CSAT (1-2)."""
        return self.is_detractor or (self.kind == SurveyKind.CSAT and self.score <= 2)


class Outcome(models.TextChoices):
    CALLED_BACK = "called_back", _("called back")
    SOLVED = "solved", _("solved")
    APOLOGY = "apology", _("apology made")
    NO_ANSWER = "no_answer", _("no answer")


class FollowUp(models.Model):
    """The team lead's follow-up of one detractor or unhappy CSAT answer."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="follow_up")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default="")
    note = models.TextField(blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["closed_at", "due_at"], name="follow_up_open_idx")]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.closed_at is None and now > self.due_at


class Gratitude(models.TextChoices):
    THANKS = "thanks", _("thanked")
    AMBASSADOR = "ambassador", _("asked to become an ambassador")


class PromoterReply(models.Model):
    """A team lead's message to a happy customer (a promoter or a CSAT 5): thanks, or the question to be an
    ambassador. At most one per answer; `outbound_ref` names the channels' outbox row that carries it, empty with
    `undeliverable` set when no channel could."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="promoter_reply")
    kind = models.CharField(max_length=10, choices=Gratitude.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    outbound_ref = models.CharField(max_length=255, blank=True, default="")
    undeliverable = models.CharField(max_length=12, choices=Undeliverable.choices, blank=True, default="")


class PdcaAction(models.Model):
    """An improvement action a team agreed in its Plan-Do-Check-Act review, for the month that follows."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text=_("The first day of the month the action is for."))
    text = models.CharField(_("action"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "pk"]


def kind_words(answers: models.QuerySet[Answer]) -> models.QuerySet[Answer]:
    """The answers among `answers` with kind words: a promoter's (NPS 9-10) or a CSAT 5's comment."""
    happy = models.Q(kind=SurveyKind.NPS, score__gte=9) | models.Q(kind=SurveyKind.CSAT, score=5)
    return answers.filter(happy).exclude(comment="")
