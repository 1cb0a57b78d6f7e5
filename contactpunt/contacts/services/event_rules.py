"""How one contact event changes its contact, the contact's current leg and its case: the rules
alone, without I/O.

`apply(state, event)` takes what the rows hold now and one event, and returns the rows as they are
after it, with the names of the fields that changed and the event rows to append. The single path
(`events.record_contact_event`) and the batch path (`bulk_events.record_contact_events`) both read
the rows, call `apply` and write what it returns, so the two cannot drift apart.

`apply_case_event(case, name, at)` does the same for the case's own events, `resolved` and `reopened`: the single
path (`cases.resolve_case`, `cases.reopen_case`), the batch path (`bulk_events.record_case_events`) and the inbound
service (a thread reply within the reopen window reopens its resolved case) all call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from contactpunt.contacts.models import CaseStatus, ContactStatus, EventName

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


# The states are named tuples: immutable, and cheap to build a hundred thousand times in a batch.


class ContactState(NamedTuple):
    """The columns of a contact that events read or change."""

    pk: int
    case_id: int
    queue_id: int
    status: str
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None


class LegState(NamedTuple):
    """The columns of a leg; `pk` is None for a leg not written yet."""

    pk: int | None
    contact_id: int
    sequence: int
    queue_id: int
    queued_at: dt.datetime
    agent_id: int | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


class CaseState(NamedTuple):
    """The columns of a case that contact events change."""

    pk: int
    reason_id: int | None
    first_response_at: dt.datetime | None


class State(NamedTuple):
    """A contact, its current (highest-numbered) leg, None before the first, and its case."""

    contact: ContactState
    leg: LegState | None
    case: CaseState


class Event(Protocol):
    """One event as reported, by ids, checked by check_contact_event (`EventInput`, or the batch's
    `ContactEventInput`)."""

    @property
    def name(self) -> str: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def agent_id(self) -> int | None: ...
    @property
    def to_queue_id(self) -> int | None: ...
    @property
    def reason_id(self) -> int | None: ...
    @property
    def source(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class EventInput:
    """One event as reported, by ids."""

    name: str
    occurred_at: dt.datetime
    agent_id: int | None = None
    to_queue_id: int | None = None
    reason_id: int | None = None
    source: str = ""
    external_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


class LoggedEvent(NamedTuple):
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


class Applied(NamedTuple):
    """The rows after one event, the names of the model fields that changed in them, and the
    events to append.

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
    contact, leg, case = state
    payload = dict(event.data) if event.data else {}
    if event.to_queue_id is not None:
        payload["to_queue"] = event.to_queue_id
    if event.reason_id is not None:
        payload["reason"] = event.reason_id
    name, at = event.name, event.occurred_at
    sequence = leg.sequence if leg else 0
    logged = LoggedEvent(
        name,
        contact.case_id,
        contact.pk,
        sequence,
        leg.queue_id if leg else contact.queue_id,
        event.agent_id,
        at,
        event.source,
        event.external_id,
        payload,
    )
    contact_fields: tuple[str, ...] = ()
    leg_fields: tuple[str, ...] = ()
    case_fields: tuple[str, ...] = ()
    started: LegState | None = None
    queued: LoggedEvent | None = None
    if name == EventName.PRESENTED:
        if leg is not None and event.agent_id is not None and leg.answered_at is None:
            leg = LegState(*leg[:5], event.agent_id, None, leg.ended_at)
            leg_fields = ("agent",)
    elif name == EventName.ANSWERED:
        if leg is not None and leg.answered_at is None:
            leg = LegState(*leg[:5], event.agent_id or leg.agent_id, at, leg.ended_at)
            leg_fields = ("answered_at", "agent")
        pk, case_id, queue_id, status, answered_at, ended_at = contact
        if answered_at is None or at < answered_at:
            answered_at = at
            contact_fields = ("answered_at",)
        if status == ContactStatus.QUEUED:
            status = ContactStatus.IN_PROGRESS
            contact_fields += ("status",)
        if contact_fields:
            contact = ContactState(pk, case_id, queue_id, status, answered_at, ended_at)
    elif name == EventName.TRANSFERRED and event.to_queue_id is not None:
        if leg is not None and leg.ended_at is None:
            leg = LegState(*leg[:7], at)
            leg_fields = ("ended_at",)
        queue_id = event.to_queue_id
        started = LegState(None, contact.pk, sequence + 1, queue_id, at)
        queued = LoggedEvent(
            EventName.QUEUED, contact.case_id, contact.pk, sequence + 1, queue_id, None, at, "", None, {}
        )
        contact = ContactState(contact.pk, contact.case_id, queue_id, ContactStatus.QUEUED, *contact[4:])
        contact_fields = ("queue", "status")
    elif name in _ENDING:
        if leg is not None and leg.ended_at is None:
            leg = LegState(*leg[:7], at)
            leg_fields = ("ended_at",)
        status = ContactStatus.ABANDONED if name == EventName.ABANDONED else ContactStatus.HANDLED
        contact = ContactState(*contact[:3], status, contact.answered_at, at)
        contact_fields = ("ended_at", "status")
    elif name == EventName.WRAPPED and event.reason_id is not None:
        case = CaseState(case.pk, event.reason_id, case.first_response_at)
        case_fields = ("reason",)
    elif name == EventName.REPLIED:
        if case.first_response_at is None:
            case = CaseState(case.pk, case.reason_id, at)
            case_fields = ("first_response_at",)
        if contact.status in _WAITING_OR_TALKING:
            # A written contact is handled by its reply.
            contact = ContactState(*contact[:3], ContactStatus.HANDLED, contact.answered_at, at)
            contact_fields = ("status", "ended_at")
    return Applied(logged, contact, leg, case, contact_fields, leg_fields, case_fields, started, queued)


# -- the case's own events: resolved and reopened --------------------------------------------------

CASE_EVENTS = frozenset({EventName.RESOLVED, EventName.REOPENED})
_OPEN_CASE = frozenset({CaseStatus.OPEN, CaseStatus.PENDING})


class CaseStateError(ValueError):
    """The case is not in a state that allows this action."""


class CaseLifecycle(NamedTuple):
    """The columns of a case that its own events read or change (attnames, as `fast_insert.update_rows` reads)."""

    pk: int
    status: str
    resolved_at: dt.datetime | None
    reopen_count: int
    reason_id: int | None


class CaseApplied(NamedTuple):
    """The case after one of its events, the names of the model fields that changed, and the event's data."""

    case: CaseLifecycle
    fields: tuple[str, ...]
    data: dict[str, Any]


def apply_case_event(
    case: CaseLifecycle, name: str, occurred_at: dt.datetime, *, reason_id: int | None = None
) -> CaseApplied:
    """Return what `name` at `occurred_at` does to the case; raise CaseStateError when the case's state refuses it.

    - resolved: an open or pending case is resolved at `occurred_at`, with `reason_id` as its reason when given;
    - reopened: a resolved case is open again, without a resolution time, and counts one more reopening.
    """
    pk, status, _resolved_at, reopen_count, case_reason = case
    if name == EventName.RESOLVED:
        if status not in _OPEN_CASE:
            raise CaseStateError(f"case {pk} is {status}, not open")
        if reason_id is None:
            return CaseApplied(CaseLifecycle(pk, CaseStatus.RESOLVED, occurred_at, reopen_count, case_reason),
                               ("status", "resolved_at"), {})  # fmt: skip
        return CaseApplied(CaseLifecycle(pk, CaseStatus.RESOLVED, occurred_at, reopen_count, reason_id),
                           ("status", "resolved_at", "reason"), {"reason": reason_id})  # fmt: skip
    if name == EventName.REOPENED:
        if status != CaseStatus.RESOLVED:
            raise CaseStateError(f"case {pk} is {status}, not resolved")
        return CaseApplied(CaseLifecycle(pk, CaseStatus.OPEN, None, reopen_count + 1, case_reason),
                           ("status", "resolved_at", "reopen_count"), {})  # fmt: skip
    raise ValueError(f"{name!r} is not an event of the case itself")
