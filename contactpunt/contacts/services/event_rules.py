"""How one contact event changes its contact, the contact's current leg and its case: the rules
alone, without I/O.

`apply(state, event)` takes what the rows hold now and one event, and returns the rows as they are
after it, with the names of the fields that changed and the event rows to append. The single path
(`events.record_contact_event`) and the batch path (`bulk_events.record_contact_events`) both read
the rows, call `apply` and write what it returns, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contactpunt.contacts.models import ContactStatus, EventName

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
_ENDING = frozenset({EventName.ENDED, EventName.ABANDONED})
_WAITING_OR_TALKING = frozenset({ContactStatus.QUEUED, ContactStatus.IN_PROGRESS})


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
class ContactState:
    """The columns of a contact that events read or change."""

    pk: int
    case_id: int
    queue_id: int
    status: str
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LegState:
    """The columns of a leg; `pk` is None for a leg not written yet."""

    pk: int | None
    contact_id: int
    sequence: int
    queue_id: int
    queued_at: dt.datetime
    agent_id: int | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseState:
    """The columns of a case that contact events change."""

    pk: int
    reason_id: int | None
    first_response_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class State:
    """A contact, its current (highest-numbered) leg, None before the first, and its case."""

    contact: ContactState
    leg: LegState | None
    case: CaseState


@dataclass(frozen=True, slots=True)
class Event:
    """One event as reported, by ids; checked by check_contact_event."""

    name: str
    occurred_at: dt.datetime
    agent_id: int | None = None
    to_queue_id: int | None = None
    reason_id: int | None = None
    source: str = ""
    external_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """A ContactEvent row to append (its id and recorded_at are the writer's)."""

    name: str
    case_id: int
    contact_id: int
    leg: int
    queue_id: int
    agent_id: int | None
    occurred_at: dt.datetime
    source: str
    external_id: str | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Applied:
    """The rows after one event, what changed in them, and the events to append.

    `queued` is the `queued` event of the leg a transfer starts; the writer adds the transfer
    event's id to its data as "transfer_event".
    """

    event: LoggedEvent
    contact: ContactState
    leg: LegState | None
    case: CaseState
    contact_fields: tuple[str, ...] = ()
    leg_fields: tuple[str, ...] = ()
    case_fields: tuple[str, ...] = ()
    started_leg: LegState | None = None
    queued: LoggedEvent | None = None

    def state(self) -> State:
        """The state the next event of this contact starts from."""
        return State(self.contact, self.started_leg or self.leg, self.case)


def apply(state: State, event: Event) -> Applied:
    """Return what recording `event` (checked already) does to the contact, its leg and its case.

    - presented: the ringing agent becomes the leg's agent, until the leg is answered;
    - answered: the leg's first answer (and its agent), the contact's earliest answer, and a
      queued contact is in progress;
    - transferred: the leg ends, a new leg starts queued in `to_queue` with its own `queued`
      event, and the contact waits there;
    - ended, abandoned: the leg ends (once), the contact ends, handled or abandoned;
    - wrapped with a reason: the reason becomes the case's;
    - replied: the case's first response (once), and a waiting or open written contact is handled;
    - hold_started, hold_ended, wrap_started: logged only.
    """
    contact, leg, case = state.contact, state.leg, state.case
    payload = dict(event.data)
    if event.to_queue_id is not None:
        payload["to_queue"] = event.to_queue_id
    if event.reason_id is not None:
        payload["reason"] = event.reason_id
    at = event.occurred_at
    logged = LoggedEvent(
        name=event.name,
        case_id=contact.case_id,
        contact_id=contact.pk,
        leg=leg.sequence if leg else 0,
        queue_id=leg.queue_id if leg else contact.queue_id,
        agent_id=event.agent_id,
        occurred_at=at,
        source=event.source,
        external_id=event.external_id,
        data=payload,
    )
    name = event.name
    contact_changes: dict[str, Any] = {}
    leg_changes: dict[str, Any] = {}
    case_changes: dict[str, Any] = {}
    started: LegState | None = None
    queued: LoggedEvent | None = None
    if name == EventName.PRESENTED:
        if leg is not None and event.agent_id is not None and leg.answered_at is None:
            leg_changes["agent_id"] = event.agent_id
    elif name == EventName.ANSWERED:
        if leg is not None and leg.answered_at is None:
            leg_changes.update(answered_at=at, agent_id=event.agent_id or leg.agent_id)
        if contact.answered_at is None or at < contact.answered_at:
            contact_changes["answered_at"] = at
        if contact.status == ContactStatus.QUEUED:
            contact_changes["status"] = ContactStatus.IN_PROGRESS
    elif name == EventName.TRANSFERRED and event.to_queue_id is not None:
        if leg is not None and leg.ended_at is None:
            leg_changes["ended_at"] = at
        sequence = logged.leg + 1
        started = LegState(None, contact.pk, sequence, event.to_queue_id, at)
        queued = LoggedEvent(
            EventName.QUEUED, contact.case_id, contact.pk, sequence, event.to_queue_id, None, at, "", None, {}
        )
        contact_changes.update(queue_id=event.to_queue_id, status=ContactStatus.QUEUED)
    elif name in _ENDING:
        if leg is not None and leg.ended_at is None:
            leg_changes["ended_at"] = at
        status = ContactStatus.ABANDONED if name == EventName.ABANDONED else ContactStatus.HANDLED
        contact_changes.update(ended_at=at, status=status)
    elif name == EventName.WRAPPED and event.reason_id is not None:
        case_changes["reason_id"] = event.reason_id
    elif name == EventName.REPLIED:
        if case.first_response_at is None:
            case_changes["first_response_at"] = at
        if contact.status in _WAITING_OR_TALKING:
            # A written contact is handled by its reply.
            contact_changes.update(status=ContactStatus.HANDLED, ended_at=at)
    return Applied(
        event=logged,
        contact=dataclasses.replace(contact, **contact_changes) if contact_changes else contact,
        contact_fields=_field_names(contact_changes),
        leg=dataclasses.replace(leg, **leg_changes) if leg is not None and leg_changes else leg,
        leg_fields=_field_names(leg_changes),
        case=dataclasses.replace(case, **case_changes) if case_changes else case,
        case_fields=_field_names(case_changes),
        started_leg=started,
        queued=queued,
    )


def _field_names(changes: Mapping[str, Any]) -> tuple[str, ...]:
    """The model field names of changed attributes (`queue_id` is the field `queue`)."""
    return tuple(name.removesuffix("_id") for name in changes)
