"""The append-only event log every metric is computed from, and the agents' states and work sessions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models.cases import Case
from contactpunt.contacts.models.contacts import Contact
from contactpunt.contacts.models.routing import Queue


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
        # On PostgreSQL the table is partitioned by month of `occurred_at` (`contacts.partitions`), so no unique
        # constraint may leave that column out: the (source, external_id) an event is idempotent on is kept unique
        # in `EventKey`, written in the same transaction.
        indexes = [
            models.Index(fields=["occurred_at"], name="event_occurred_idx"),
            models.Index(fields=["contact", "occurred_at"], name="event_contact_idx"),
            models.Index(fields=["case", "occurred_at"], name="event_case_idx"),
        ]


class EventKey(models.Model):
    """The (source, external_id) of a contact event delivered with one: unique here, so a repeated delivery finds
    the event it repeats in whichever month's partition of the event log that event lies."""

    source = models.CharField(max_length=100, blank=True, default="")
    external_id = models.CharField(max_length=255)
    event_id = models.BigIntegerField(help_text=_("The contact event (not a foreign key: the log is partitioned)."))

    class Meta:
        verbose_name = _("event key")
        verbose_name_plural = _("event keys")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="event_key_unique")]
        indexes = [models.Index(fields=["event_id"], name="event_key_event_idx")]


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


#: An open work session whose page sent no heartbeat for this long is a tab that was closed without saying so (a
#: browser killed, a laptop shut): its agent no longer counts as present on the case. The case page beats every
#: 30 seconds (workspace.js), so two beats may be lost before a colleague stops seeing "X is working on this case".
PRESENT_WITHIN = dt.timedelta(minutes=2)


class WorkSession(models.Model):
    """An agent working a case in writing: from opening it to sending a reply or wrapping up. `seen_at` is the
    last heartbeat of the agent's case page (None for sessions from before heartbeats: their start counts)."""

    agent = models.ForeignKey(  # indexed by work_session_agent_idx
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_sessions", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_sessions")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True, default="")
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["agent", "started_at"], name="work_session_agent_idx")]

    @property
    def last_seen(self) -> dt.datetime:
        return self.seen_at or self.started_at

    def is_present(self, now: dt.datetime) -> bool:
        """Whether the agent still has the case open at `now`: the session is open and its page beat lately."""
        return self.ended_at is None and self.last_seen >= now - PRESENT_WITHIN

    @staticmethod
    def present(now: dt.datetime, prefix: str = "") -> models.Q:
        """The condition on a work session (reached through `prefix`, e.g. "work_sessions__") that `is_present`."""
        since = now - PRESENT_WITHIN
        return models.Q(**{f"{prefix}ended_at__isnull": True}) & (
            models.Q(**{f"{prefix}seen_at__gte": since})
            | models.Q(**{f"{prefix}seen_at__isnull": True, f"{prefix}started_at__gte": since})
        )
