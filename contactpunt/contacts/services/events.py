"""Recording what happens to contacts (the event log) and to agents (their states).

Both are append-only and idempotent on (source, external_id): a repeat delivery returns the row
that exists and changes nothing. A correction is a new event, never an update.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import (
    AgentState,
    AgentStateEvent,
    Case,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactReason,
    ContactStatus,
    EventName,
    Queue,
)
from contactpunt.people.models import User

# Events a channel or integration may report; resolved and reopened go through the case services.
CONTACT_EVENTS = frozenset(
    {
        EventName.PRESENTED,
        EventName.ANSWERED,
        EventName.HOLD_STARTED,
        EventName.HOLD_ENDED,
        EventName.TRANSFERRED,
        EventName.ENDED,
        EventName.WRAP_STARTED,
        EventName.WRAPPED,
        EventName.ABANDONED,
        EventName.REPLIED,
    }
)


class EventRejected(ValueError):
    """The event cannot be recorded; `field` names the input that is wrong."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def check_contact_event(name: str, occurred_at: dt.datetime, *, has_to_queue: bool) -> None:
    """Raise EventRejected naming the field when this event cannot be recorded (single or batch)."""
    if name not in CONTACT_EVENTS:
        raise EventRejected("name", "unknown_event", f"{name!r} is not a contact event")
    if occurred_at.tzinfo is None:
        raise EventRejected("occurred_at", "naive_datetime", "occurred_at needs a time zone offset")
    if name == EventName.TRANSFERRED and not has_to_queue:
        raise EventRejected("to_queue", "required", "a transfer needs the queue it goes to")


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: int
    created: bool


def record_contact_event(
    *,
    contact: Contact,
    name: str,
    occurred_at: dt.datetime,
    source: str = "",
    external_id: str | None = None,
    agent: User | None = None,
    to_queue: Queue | None = None,
    reason: ContactReason | None = None,
    data: dict[str, Any] | None = None,
) -> Recorded:
    """Append one event to the contact's log and update the contact's current state.

    `transferred` needs `to_queue` and starts the next leg there with its own `queued` event;
    `wrapped` may carry the contact reason, which becomes the case's reason.
    """
    check_contact_event(name, occurred_at, has_to_queue=to_queue is not None)
    if external_id:
        existing = ContactEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return Recorded(existing.pk, False)
    try:
        with transaction.atomic():
            return _record(
                contact=contact,
                name=name,
                occurred_at=occurred_at,
                source=source,
                external_id=external_id,
                agent=agent,
                to_queue=to_queue,
                reason=reason,
                data=data or {},
            )
    except IntegrityError:
        # The same event arrived twice at once; the other delivery won.
        existing = ContactEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is None:
            raise
        return Recorded(existing.pk, False)


def _record(
    *,
    contact: Contact,
    name: str,
    occurred_at: dt.datetime,
    source: str,
    external_id: str | None,
    agent: User | None,
    to_queue: Queue | None,
    reason: ContactReason | None,
    data: dict[str, Any],
) -> Recorded:
    now = timezone.now()
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    leg_number = ContactLeg.objects.filter(contact=contact).aggregate(n=Max("sequence"))["n"] or 0
    leg = ContactLeg.objects.filter(contact=contact, sequence=leg_number).first()
    payload = dict(data)
    if to_queue is not None:
        payload["to_queue"] = to_queue.pk
    if reason is not None:
        payload["reason"] = reason.pk
    event = ContactEvent.objects.create(
        name=name,
        case_id=contact.case_id,
        contact=contact,
        leg=leg_number,
        queue=leg.queue if leg else contact.queue,
        agent=agent,
        occurred_at=occurred_at,
        recorded_at=now,
        source=source,
        external_id=external_id,
        data=payload,
    )
    contact_fields: list[str] = []
    if name == EventName.PRESENTED and leg is not None and agent is not None and leg.answered_at is None:
        leg.agent = agent
        leg.save(update_fields=["agent"])
    elif name == EventName.ANSWERED:
        if leg is not None and leg.answered_at is None:
            leg.answered_at = occurred_at
            leg.agent = agent or leg.agent
            leg.save(update_fields=["answered_at", "agent"])
        if contact.answered_at is None or occurred_at < contact.answered_at:
            contact.answered_at = occurred_at
            contact_fields.append("answered_at")
        if contact.status == ContactStatus.QUEUED:
            contact.status = ContactStatus.IN_PROGRESS
            contact_fields.append("status")
    elif name == EventName.TRANSFERRED and to_queue is not None:
        if leg is not None and leg.ended_at is None:
            leg.ended_at = occurred_at
            leg.save(update_fields=["ended_at"])
        ContactLeg.objects.create(contact=contact, sequence=leg_number + 1, queue=to_queue, queued_at=occurred_at)
        ContactEvent.objects.create(
            name=EventName.QUEUED,
            case_id=contact.case_id,
            contact=contact,
            leg=leg_number + 1,
            queue=to_queue,
            occurred_at=occurred_at,
            recorded_at=now,
            data={"transfer_event": event.pk},
        )
        contact.queue = to_queue
        contact.status = ContactStatus.QUEUED
        contact_fields += ["queue", "status"]
    elif name in (EventName.ENDED, EventName.ABANDONED):
        if leg is not None and leg.ended_at is None:
            leg.ended_at = occurred_at
            leg.save(update_fields=["ended_at"])
        contact.ended_at = occurred_at
        contact.status = ContactStatus.ABANDONED if name == EventName.ABANDONED else ContactStatus.HANDLED
        contact_fields += ["ended_at", "status"]
    elif name == EventName.WRAPPED and reason is not None:
        Case.objects.filter(pk=contact.case_id).update(reason=reason)
    elif name == EventName.REPLIED:
        Case.objects.filter(pk=contact.case_id, first_response_at__isnull=True).update(first_response_at=occurred_at)
        if contact.status in (ContactStatus.QUEUED, ContactStatus.IN_PROGRESS):
            # A written contact is handled by its reply.
            contact.status = ContactStatus.HANDLED
            contact.ended_at = occurred_at
            contact_fields += ["status", "ended_at"]
    if contact_fields:
        contact.save(update_fields=contact_fields)
    announce(Announcement.CONTACT_EVENT_RECORDED, event_id=event.pk, contact_id=contact.pk)
    return Recorded(event.pk, True)


def record_agent_state(
    *,
    agent: User,
    state: str,
    occurred_at: dt.datetime,
    source: str = "",
    external_id: str | None = None,
) -> Recorded:
    """Record that the agent entered `state` at `occurred_at`; idempotent on (source, external_id)."""
    if state not in AgentState.values:
        raise EventRejected("state", "unknown_state", f"{state!r} is not an agent state")
    if occurred_at.tzinfo is None:
        raise EventRejected("occurred_at", "naive_datetime", "occurred_at needs a time zone offset")
    if external_id:
        existing = AgentStateEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return Recorded(existing.pk, False)
    try:
        with transaction.atomic():
            event = AgentStateEvent.objects.create(
                agent=agent, state=state, occurred_at=occurred_at, source=source, external_id=external_id
            )
    except IntegrityError:
        existing = AgentStateEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is None:
            raise
        return Recorded(existing.pk, False)
    announce(Announcement.AGENT_STATE_CHANGED, event_id=event.pk, agent_id=agent.pk)
    return Recorded(event.pk, True)


def current_agent_state(agent: User) -> str:
    """Return the agent's state by their latest state event; offline when they have none."""
    latest = AgentStateEvent.objects.filter(agent=agent).order_by("-occurred_at", "-id").first()
    return latest.state if latest else AgentState.OFFLINE
