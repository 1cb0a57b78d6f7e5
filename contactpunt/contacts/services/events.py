"""Recording what happens to contacts (the event log) and to agents (their states).

Both are append-only and idempotent on (source, external_id): a repeat delivery returns the row
that exists and changes nothing. A correction is a new event, never an update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactpunt import fast_insert
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import (
    AgentState,
    AgentStateEvent,
    Case,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactReason,
    EventKey,
    Queue,
)
from contactpunt.contacts.services import event_rules as rules
from contactpunt.contacts.services.event_rules import CONTACT_EVENTS, EventRejected, check_contact_event
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.people.models import User

__all__ = [
    "CONTACT_EVENTS",
    "EventRejected",
    "Recorded",
    "check_contact_event",
    "current_agent_state",
    "record_agent_state",
    "record_contact_event",
]


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
    `wrapped` may carry the contact reason, which becomes the case's reason (event_rules.apply).
    """
    check_contact_event(name, occurred_at, has_to_queue=to_queue is not None)
    if external_id:
        existing = event_for_key(source, external_id)
        if existing is not None:
            return Recorded(existing, False)
    event = rules.EventInput(
        name=name,
        occurred_at=occurred_at,
        agent_id=agent.pk if agent else None,
        to_queue_id=to_queue.pk if to_queue else None,
        reason_id=reason.pk if reason else None,
        source=source,
        external_id=external_id,
        data=data or {},
    )
    try:
        with transaction.atomic():
            return _record(contact.pk, event)
    except IntegrityError:
        # The same event arrived twice at once; the other delivery won.
        existing = event_for_key(source, external_id) if external_id else None
        if existing is None:
            raise
        return Recorded(existing, False)


def write_event_keys(keyed: Iterable[tuple[str, str | None, int]]) -> None:
    """Keep (source, external_id) unique beside the log (`EventKey`) for each (source, external_id, event id) of
    events written in bulk that came with an external id."""
    keys = [(source, external_id, pk) for source, external_id, pk in keyed if external_id]
    ids = fast_insert.reserve_ids(EventKey, len(keys))
    fast_insert.insert_rows(
        EventKey, ("id", "source", "external_id", "event_id"), [(pk, *key) for pk, key in zip(ids, keys, strict=True)]
    )


def event_for_key(source: str, external_id: str) -> int | None:
    """The id of the contact event delivered with (source, external_id), if any (`EventKey`)."""
    return EventKey.objects.filter(source=source, external_id=external_id).values_list("event_id", flat=True).first()


def _record(contact_id: int, event: rules.Event) -> Recorded:
    now = timezone.now()
    state = _state(contact_id)
    applied = rules.apply(state, event)
    logged = ContactEvent.objects.create(**_event_values(applied.event), recorded_at=now)
    if logged.external_id:
        EventKey.objects.create(source=logged.source, external_id=logged.external_id, event_id=logged.pk)
    if applied.leg is not None and applied.leg.pk is not None and applied.leg_fields:
        ContactLeg.objects.filter(pk=applied.leg.pk).update(**_values(applied.leg, applied.leg_fields))
    if applied.contact_fields:
        Contact.objects.filter(pk=contact_id).update(**_values(applied.contact, applied.contact_fields))
    case = applied.case
    if "reason" in applied.case_fields:
        Case.objects.filter(pk=case.pk).update(reason_id=case.reason_id)
    if "first_response_at" in applied.case_fields:
        # Conditional: a reply to another contact of the case may have come first.
        Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(first_response_at=case.first_response_at)
    if applied.started_leg is not None and applied.queued is not None:
        leg = applied.started_leg
        ContactLeg.objects.create(
            contact_id=contact_id, sequence=leg.sequence, queue_id=leg.queue_id, queued_at=leg.queued_at
        )
        values = _event_values(applied.queued)
        values["data"] = {**applied.queued.data, "transfer_event": logged.pk}
        ContactEvent.objects.create(**values, recorded_at=now)
    if "status" in applied.contact_fields:
        refresh_waiting([applied.contact.case_id])
    announce(Announcement.CONTACT_EVENT_RECORDED, event_id=logged.pk, contact_id=contact_id)
    return Recorded(logged.pk, True)


def _state(contact_id: int) -> rules.State:
    """The contact (locked), its current leg and its case, as the rules read them."""
    row = (
        Contact.objects.select_for_update()
        .filter(pk=contact_id)
        .values_list("pk", "case_id", "queue_id", "status", "answered_at", "ended_at")
        .get()
    )
    case = Case.objects.filter(pk=row[1]).values_list("pk", "reason_id", "first_response_at").get()
    leg = (
        ContactLeg.objects.filter(contact_id=contact_id)
        .order_by("-sequence")
        .values_list("pk", "contact_id", "sequence", "queue_id", "queued_at", "agent_id", "answered_at", "ended_at")
        .first()
    )
    return rules.State(
        contact=rules.ContactState(*row),
        leg=rules.LegState(*leg) if leg else None,
        case=rules.CaseState(*case),
    )


def _event_values(event: rules.LoggedEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "case_id": event.case_id,
        "contact_id": event.contact_id,
        "leg": event.leg,
        "queue_id": event.queue_id,
        "agent_id": event.agent_id,
        "occurred_at": event.occurred_at,
        "source": event.source,
        "external_id": event.external_id,
        "data": event.data,
    }


def _values(row: rules.ContactState | rules.LegState, fields: tuple[str, ...]) -> dict[str, Any]:
    """The changed columns of a row by attname, for QuerySet.update()."""
    attnames = {"queue": "queue_id", "agent": "agent_id"}
    return {attnames.get(name, name): getattr(row, attnames.get(name, name)) for name in fields}


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
