"""Batch versions of record_contact_event, record_agent_state, resolve_case and the work-session services,
for imports and the simulator.

Each function writes exactly the rows the single service writes when called once per item, in the
given order (the same ContactEvent and AgentStateEvent rows, the same ContactLeg, Contact and Case
field updates, the same announcements after commit), but with a handful of bulk statements per batch
instead of several per item. Only the primary keys differ in order: the `queued` event that a
transfer starts is inserted after the batch's own events, so it refers to its transfer by id as the
single service does, only with a larger id of its own.

The whole batch is one transaction: one rejected item rejects the batch, and nothing is written.

No model instances are made: the rows a batch reads are small records of the columns it needs, and
the rows it writes are tuples with reserved keys (`fast_insert.insert_rows`), holding the values
the single services' instances would hold. At a hundred thousand contacts, `Model.__init__` cost
more than the database's own work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from contactpunt import fast_insert
from contactpunt.contacts.announcements import Announcement, announce_many
from contactpunt.contacts.models import (
    AgentState,
    AgentStateEvent,
    Case,
    Contact,
    ContactEvent,
    ContactLeg,
    EventKey,
    EventName,
    WorkSession,
)
from contactpunt.contacts.services import event_rules as rules
from contactpunt.contacts.services.event_rules import CaseStateError
from contactpunt.contacts.services.events import EventRejected, Recorded, check_contact_event, write_event_keys
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.fast_rows import values_rows
from contactpunt.id_filters import ids_in, texts_in

_BATCH = 2000
_AGENT_STATES = frozenset(AgentState.values)


@dataclass(frozen=True, slots=True)
class ContactEventInput:
    """One call of record_contact_event, by ids (the batch loads the rows once)."""

    contact_id: int
    name: str
    occurred_at: dt.datetime
    agent_id: int | None = None
    to_queue_id: int | None = None
    reason_id: int | None = None
    source: str = ""
    external_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentStateInput:
    """One call of record_agent_state, by agent id."""

    agent_id: int
    state: str
    occurred_at: dt.datetime
    source: str = ""
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CaseResolution:
    """One call of resolve_case, by ids."""

    case_id: int
    occurred_at: dt.datetime
    by_id: int | None = None
    reason_id: int | None = None


def record_contact_events(events: Sequence[ContactEventInput]) -> list[Recorded]:
    """Record the events in order as record_contact_event would one by one; one Recorded per input.

    An input whose (source, external_id) exists already, or repeats an earlier input of the batch,
    comes back with created=False and the existing event's id, and changes nothing.
    Raise EventRejected (nothing written) when any input is invalid.
    """
    for item in events:
        check_contact_event(item.name, item.occurred_at, has_to_queue=item.to_queue_id is not None)
    if not events:
        return []
    with transaction.atomic():
        return _ContactBatch(events).run()


_EVENT_COLUMNS = fast_insert.CONTACT_EVENT_COLUMNS
_LEG_COLUMNS = ("id", "contact_id", "sequence", "queue_id", "agent_id", "queued_at", "answered_at", "ended_at")
# An event row before its key is known: the _EVENT_COLUMNS without "id".
_EventRow = tuple[
    str, int, int | None, int, int | None, int | None, dt.datetime, dt.datetime, str, str | None, dict[str, Any]
]


class _ContactBatch:
    """The rows the batch reads, kept current as event_rules.apply changes them, and what changed."""

    def __init__(self, events: Sequence[ContactEventInput]) -> None:
        self.events = events
        self.now = timezone.now()
        self.contacts: dict[int, rules.ContactState] = {}
        self.legs: dict[int, rules.LegState | None] = {}  # the current leg of each contact
        self.cases: dict[int, rules.CaseState] = {}
        self.changed_contacts: dict[int, set[str]] = {}
        self.changed_legs: dict[int, rules.LegState] = {}
        self.new_legs: dict[tuple[int, int], rules.LegState] = {}  # by (contact, sequence)
        self.changed_cases: dict[int, set[str]] = {}

    def _existing(self) -> dict[tuple[str, str], int]:
        by_source: dict[str, set[str]] = {}
        for item in self.events:
            if item.external_id:
                by_source.setdefault(item.source, set()).add(item.external_id)
        found: dict[tuple[str, str], int] = {}
        for source, ids in by_source.items():
            keys = EventKey.objects.filter(texts_in("external_id", ids), source=source)
            for pk, external_id in keys.values_list("event_id", "external_id"):
                found[(source, external_id)] = pk
        return found

    def _load(self, contact_ids: set[int]) -> None:
        ids = sorted(contact_ids)
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            # Locked in id order, so two batches over the same contacts cannot deadlock.
            contacts = (
                Contact.objects.select_for_update()
                .filter(ids_in("pk", chunk))
                .order_by("pk")
                .values_list("pk", "case_id", "queue_id", "status", "answered_at", "ended_at")
            )
            for row in values_rows(contacts):
                self.contacts[row[0]] = rules.ContactState(*row)
                self.legs[row[0]] = None
            legs = (
                ContactLeg.objects.filter(ids_in("contact_id", chunk))
                .order_by("contact_id", "sequence")
                .values_list(
                    "pk", "contact_id", "sequence", "queue_id", "queued_at", "agent_id", "answered_at", "ended_at"
                )
            )
            for leg_row in values_rows(legs):
                self.legs[leg_row[1]] = rules.LegState(*leg_row)
        case_ids = sorted({contact.case_id for contact in self.contacts.values()})
        for start in range(0, len(case_ids), _BATCH):
            cases = Case.objects.filter(ids_in("pk", case_ids[start : start + _BATCH]))
            for case_row in values_rows(cases.values_list("pk", "reason_id", "first_response_at")):
                self.cases[case_row[0]] = rules.CaseState(*case_row)

    def run(self) -> list[Recorded]:
        existing = self._existing()
        fresh: list[tuple[int, ContactEventInput]] = []
        seen: dict[tuple[str, str], int] = {}
        for index, item in enumerate(self.events):
            key = (item.source, item.external_id) if item.external_id else None
            if key is not None and (key in existing or key in seen):
                continue
            if key is not None:
                seen[key] = index
            fresh.append((index, item))
        self._load({item.contact_id for _index, item in fresh})
        rows: list[_EventRow] = []
        follow_ups: list[tuple[int, _EventRow]] = []  # (position in rows, queued event of a transfer)
        for _index, item in fresh:
            if item.contact_id not in self.contacts:
                raise EventRejected("contact", "unknown_contact", f"there is no contact {item.contact_id}")
            self._apply(item, rows, follow_ups)
        ids = fast_insert.reserve_ids(ContactEvent, len(rows) + len(follow_ups))
        event_ids = ids[: len(rows)]
        queued = []
        for (position, event), pk in zip(follow_ups, ids[len(rows) :], strict=True):
            event[-1]["transfer_event"] = event_ids[position]
            queued.append((pk, *event))
        fast_insert.insert_rows(
            ContactEvent, _EVENT_COLUMNS, [(pk, *row) for pk, row in zip(event_ids, rows, strict=True)] + queued
        )
        write_event_keys((item.source, item.external_id, pk) for (_i, item), pk in zip(fresh, event_ids, strict=True))
        self._write_updates()
        recorded: dict[int, Recorded] = {}
        for (index, _item), pk in zip(fresh, event_ids, strict=True):
            recorded[index] = Recorded(pk, True)
        announce_many(
            Announcement.CONTACT_EVENT_RECORDED,
            [{"event_id": pk, "contact_id": item.contact_id} for (_i, item), pk in zip(fresh, event_ids, strict=True)],
        )
        by_key = {
            (item.source, item.external_id): recorded[index].event_id for index, item in fresh if item.external_id
        }
        results: list[Recorded] = []
        for index, item in enumerate(self.events):
            if index in recorded:
                results.append(recorded[index])
            else:
                key = (item.source, item.external_id or "")
                results.append(Recorded(existing.get(key) or by_key[key], False))
        return results

    def _apply(self, item: ContactEventInput, rows: list[_EventRow], follow_ups: list[tuple[int, _EventRow]]) -> None:
        contact = self.contacts[item.contact_id]
        state = rules.State(contact, self.legs[contact.pk], self.cases[contact.case_id])
        applied = rules.apply(state, item)
        self.contacts[contact.pk] = applied.contact
        if applied.contact_fields:
            self.changed_contacts.setdefault(contact.pk, set()).update(applied.contact_fields)
        leg = applied.leg
        if leg is not None and applied.leg_fields:
            if leg.pk is None:
                self.new_legs[(leg.contact_id, leg.sequence)] = leg  # inserted whole, with its changes
            else:
                self.changed_legs[leg.pk] = leg
        if applied.case_fields:
            self.cases[contact.case_id] = applied.case
            self.changed_cases.setdefault(contact.case_id, set()).update(applied.case_fields)
        started = applied.started_leg
        if started is not None:
            self.new_legs[(started.contact_id, started.sequence)] = started
        self.legs[contact.pk] = started or leg
        rows.append(self._row(applied.event))
        if applied.queued is not None:
            follow_ups.append((len(rows) - 1, self._row(applied.queued)))

    def _row(self, event: rules.LoggedEvent) -> _EventRow:
        """The event's columns in _EVENT_COLUMNS order (without the id), recorded now."""
        return (*event[:7], self.now, *event[7:])

    def _write_updates(self) -> None:
        new_legs = list(self.new_legs.values())
        leg_ids = fast_insert.reserve_ids(ContactLeg, len(new_legs))
        fast_insert.insert_rows(
            ContactLeg,
            _LEG_COLUMNS,
            [
                (
                    pk,
                    leg.contact_id,
                    leg.sequence,
                    leg.queue_id,
                    leg.agent_id,
                    leg.queued_at,
                    leg.answered_at,
                    leg.ended_at,
                )
                for pk, leg in zip(leg_ids, new_legs, strict=True)
            ],
        )
        if self.changed_legs:
            fast_insert.update_rows(
                ContactLeg,
                [self.changed_legs[pk] for pk in sorted(self.changed_legs)],
                ["agent", "answered_at", "ended_at"],
            )
        by_fields: dict[tuple[str, ...], list[rules.ContactState]] = {}
        for pk in sorted(self.changed_contacts):
            by_fields.setdefault(tuple(sorted(self.changed_contacts[pk])), []).append(self.contacts[pk])
        for fields, contacts in by_fields.items():
            fast_insert.update_rows(Contact, contacts, fields)
        refresh_waiting(self.contacts[pk].case_id for pk, fields in self.changed_contacts.items() if "status" in fields)
        reasons = [self.cases[pk] for pk in sorted(self.changed_cases) if "reason" in self.changed_cases[pk]]
        fast_insert.update_rows(Case, reasons, ["reason"])
        responded = {pk for pk, fields in self.changed_cases.items() if "first_response_at" in fields}
        if responded:
            # Only where none is set: a reply outside this batch may have come first, as the single
            # service's conditional update has it.
            unanswered = Case.objects.filter(ids_in("pk", responded), first_response_at__isnull=True)
            fast_insert.update_rows(
                Case, [self.cases[pk] for pk in sorted(unanswered.values_list("pk", flat=True))], ["first_response_at"]
            )


def record_agent_states(states: Sequence[AgentStateInput]) -> list[Recorded]:
    """Record the agent states in order as record_agent_state would one by one; one Recorded per input.

    Duplicates by (source, external_id), in the database or earlier in the batch, come back with
    created=False. Raise EventRejected (nothing written) when any input is invalid.
    """
    for item in states:
        if item.state not in _AGENT_STATES:
            raise EventRejected("state", "unknown_state", f"{item.state!r} is not an agent state")
        if item.occurred_at.tzinfo is None:
            raise EventRejected("occurred_at", "naive_datetime", "occurred_at needs a time zone offset")
    if not states:
        return []
    by_source: dict[str, set[str]] = {}
    for item in states:
        if item.external_id:
            by_source.setdefault(item.source, set()).add(item.external_id)
    with transaction.atomic():
        existing: dict[tuple[str, str], int] = {}
        for source, keys in by_source.items():
            for pk, external_id in AgentStateEvent.objects.filter(source=source, external_id__in=keys).values_list(
                "pk", "external_id"
            ):
                existing[(source, external_id or "")] = pk
        rows: list[tuple[int, AgentStateInput]] = []
        seen: set[tuple[str, str]] = set()
        now = timezone.now()
        for index, item in enumerate(states):
            key = (item.source, item.external_id) if item.external_id else None
            if key is not None and (key in existing or key in seen):
                continue
            if key is not None:
                seen.add(key)
            rows.append((index, item))
        state_ids = fast_insert.reserve_ids(AgentStateEvent, len(rows))
        fast_insert.insert_rows(
            AgentStateEvent,
            ("id", "agent_id", "state", "occurred_at", "recorded_at", "source", "external_id"),
            [
                (pk, item.agent_id, item.state, item.occurred_at, now, item.source, item.external_id)
                for pk, (_index, item) in zip(state_ids, rows, strict=True)
            ],
        )
        created = {index: (pk, item) for pk, (index, item) in zip(state_ids, rows, strict=True)}
        announce_many(
            Announcement.AGENT_STATE_CHANGED,
            [{"event_id": pk, "agent_id": item.agent_id} for pk, item in created.values()],
        )
        new_keys = {(e.source, e.external_id): pk for pk, e in created.values() if e.external_id}
        results: list[Recorded] = []
        for index, item in enumerate(states):
            if index in created:
                results.append(Recorded(created[index][0], True))
            else:
                key2 = (item.source, item.external_id or "")
                results.append(Recorded(existing.get(key2) or new_keys[key2], False))
        return results


def resolve_cases(resolutions: Sequence[CaseResolution]) -> int:
    """Resolve the cases as resolve_case would one by one; return how many were resolved.

    Raise CaseStateError (nothing written) when a case is not open, or appears twice in the batch.
    """
    ids = [item.case_id for item in resolutions]
    if len(set(ids)) != len(ids):
        raise CaseStateError("a case cannot be resolved twice in one batch")
    items = [CaseEventInput(i.case_id, EventName.RESOLVED, i.occurred_at, i.by_id, i.reason_id) for i in resolutions]
    return record_case_events(items)


@dataclass(frozen=True, slots=True)
class CaseEventInput:
    """One call of resolve_case or reopen_case, by ids."""

    case_id: int
    name: str  # resolved or reopened
    occurred_at: dt.datetime
    by_id: int | None = None
    reason_id: int | None = None


_CASE_ANNOUNCEMENTS: dict[str, Announcement] = {
    EventName.RESOLVED: Announcement.CASE_RESOLVED,
    EventName.REOPENED: Announcement.CASE_REOPENED,
}


def record_case_events(items: Sequence[CaseEventInput]) -> int:
    """Resolve and reopen cases in the given order as resolve_case and reopen_case would one by one (the same
    event_rules.apply_case_event; a case may be resolved, reopened and resolved again in one batch); return how
    many events were recorded. Raise CaseStateError (nothing written) when a case's state refuses an item."""
    if not items:
        return 0
    with transaction.atomic():
        cases: dict[int, rules.CaseLifecycle] = {}
        ordered = sorted({item.case_id for item in items})
        for start in range(0, len(ordered), _BATCH):
            chunk = ordered[start : start + _BATCH]
            rows = Case.objects.select_for_update().filter(ids_in("pk", chunk)).order_by("pk")
            for row in rows.values_list("pk", "status", "resolved_at", "reopen_count", "reason_id"):
                cases[row[0]] = rules.CaseLifecycle(*row)
        changed: dict[int, set[str]] = {}
        events: list[tuple[Any, ...]] = []
        now = timezone.now()
        for item in items:
            if item.case_id not in cases:
                raise CaseStateError(f"there is no case {item.case_id}")
            if item.name not in rules.CASE_EVENTS:
                raise CaseStateError(f"{item.name!r} is not an event of the case itself")
            applied = rules.apply_case_event(cases[item.case_id], item.name, item.occurred_at, reason_id=item.reason_id)
            cases[item.case_id] = applied.case
            changed.setdefault(item.case_id, set()).update(applied.fields)
            events.append(
                (item.name, item.case_id, None, 0, None, item.by_id, item.occurred_at, now, "", None, applied.data)
            )
        by_fields: dict[tuple[str, ...], list[rules.CaseLifecycle]] = {}
        for case_id, fields in changed.items():
            by_fields.setdefault(tuple(sorted(fields)), []).append(cases[case_id])
        for fields_changed, rows_changed in by_fields.items():
            fast_insert.update_rows(Case, rows_changed, fields_changed)
        event_ids = fast_insert.reserve_ids(ContactEvent, len(events))
        fast_insert.insert_rows(
            ContactEvent, _EVENT_COLUMNS, [(pk, *row) for pk, row in zip(event_ids, events, strict=True)]
        )
        # One announcement per event, in order (consecutive ones of a kind together, as the subscribers take them).
        run: list[CaseEventInput] = []
        following: list[CaseEventInput | None] = [*items, None]
        for next_item in following:
            if run and (next_item is None or next_item.name != run[0].name):
                announce_many(_CASE_ANNOUNCEMENTS[run[0].name], [{"case_id": i.case_id} for i in run])
                run = []
            if next_item is not None:
                run.append(next_item)
    return len(items)


@dataclass(slots=True)
class _CaseRow:
    """The columns of a case that a batch changes."""

    pk: int
    status: str = ""
    resolved_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    reason_id: int | None = None


@dataclass(frozen=True, slots=True)
class FinishedWorkSession:
    """One start_work_session followed by end_work_sessions, by ids: the agent's work on a case
    (for one contact) from `started_at` until `ended_at`, ended with `outcome`."""

    agent_id: int
    case_id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    outcome: str
    contact_id: int | None = None


def record_work_sessions(sessions: Sequence[FinishedWorkSession]) -> int:
    """Write the sessions as start_work_session and end_work_sessions would one by one; return how
    many sessions were ended.

    As there: when the agent has a session open on the case already, that session is the one ended
    (with its own start), and no new one is written.
    """
    if not sessions:
        return 0
    for item in sessions:
        if item.started_at.tzinfo is None or item.ended_at.tzinfo is None:
            raise EventRejected("started_at", "naive_datetime", "work session times need a time zone offset")
    with transaction.atomic():
        pairs = {(item.agent_id, item.case_id) for item in sessions}
        open_ids: dict[tuple[int, int], list[int]] = {}
        cases = sorted({case for _agent, case in pairs})
        for start in range(0, len(cases), _BATCH):
            rows = WorkSession.objects.filter(ids_in("case_id", cases[start : start + _BATCH]), ended_at__isnull=True)
            for pk, agent_id, case_id in rows.order_by("pk").values_list("pk", "agent_id", "case_id"):
                if (agent_id, case_id) in pairs:
                    open_ids.setdefault((agent_id, case_id), []).append(pk)
        ended: list[_SessionEnd] = []
        new: list[FinishedWorkSession] = []
        changes: list[dict[str, int]] = []
        for item in sessions:
            change = {"case_id": item.case_id, "agent_id": item.agent_id}
            opened = open_ids.pop((item.agent_id, item.case_id), None)
            if opened:
                ended += [_SessionEnd(pk, item.ended_at, item.outcome[:20]) for pk in opened]
                changes.append(change)  # end_work_sessions announces; start found the open one
            else:
                new.append(item)
                changes += [change, change]  # start and end each announce
        fast_insert.update_rows(WorkSession, ended, ["ended_at", "outcome"])
        ids = fast_insert.reserve_ids(WorkSession, len(new))
        fast_insert.insert_rows(
            WorkSession,
            ("id", "agent_id", "case_id", "contact_id", "started_at", "ended_at", "outcome"),
            [
                (pk, s.agent_id, s.case_id, s.contact_id, s.started_at, s.ended_at, s.outcome[:20])
                for pk, s in zip(ids, new, strict=True)
            ],
        )
        announce_many(Announcement.WORK_SESSION_CHANGED, changes)
    return len(ended) + len(new)


@dataclass(slots=True)
class _SessionEnd:
    pk: int
    ended_at: dt.datetime
    outcome: str
