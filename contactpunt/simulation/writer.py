"""Turn the engine's log into service calls, and keep the run's own tallies of what was written.

Arrivals go through `receive_contacts` in batches; contact events (presented, answered, holds,
transfers, ...), agent states, work sessions of written contacts and resolutions through the batch
services of `contacts.services.bulk_events`, which write the same rows as the
single services. Every row carries its simulated `occurred_at`. Nothing is written straight into a
table. The tallies count exactly the entries written, so the future `kpis` module can be checked
against them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from contactpunt.contacts.services.bulk_events import (
    AgentStateInput,
    CaseResolution,
    ContactEventInput,
    FinishedWorkSession,
    record_agent_states,
    record_contact_events,
    record_work_sessions,
    resolve_cases,
)
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome, ThreadRef
from contactpunt.simulation import survey
from contactpunt.simulation.engine import Engine, Entry, SimContact
from contactpunt.simulation.scenarios import Organisation

REPEAT_WINDOW = dt.timedelta(days=7)
SHORT_ABANDON_S = 5.0
BATCH = 2000


@dataclass(slots=True)
class QueueTally:
    """Per queue, per leg that entered it: offered, answered (and within the queue's threshold),
    abandoned (and short abandons, wait < 5 s), and the summed wait of answered legs."""

    offered: int = 0
    answered: int = 0
    answered_within_threshold: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_wait_s: float = 0.0


@dataclass(slots=True)
class Tallies:
    """What a run wrote, counted by the simulator itself.

    contacts: inbound contacts written (each offered to its first queue once); by_queue counts legs,
    so a transferred contact is offered to both queues. handled: contacts ended by an agent or
    replied to. transfers: transferred events; transferred_contacts: contacts with at least one.
    repeats_caused: contacts the repeat model sent because a question was not solved;
    repeat_contacts (DESIGN.md): inbound contacts from identified customers within 7 days after an
    earlier contact of theirs that was handled, out of identified_contacts. hold_s: seconds on hold;
    work_sessions and work_session_s: the written contacts' sessions and their summed length.
    """

    contacts: int = 0
    handled: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    transfers: int = 0
    transferred_contacts: int = 0
    repeats_caused: int = 0
    repeat_contacts: int = 0
    identified_contacts: int = 0
    resolved_cases: int = 0
    contact_events: int = 0
    agent_states: int = 0
    hold_s: float = 0.0
    work_sessions: int = 0
    work_session_s: float = 0.0
    by_queue: dict[str, QueueTally] = field(default_factory=lambda: defaultdict(QueueTally))
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    surveys: list[survey.SurveyAnswer] = field(default_factory=list)

    @property
    def nps(self) -> float:
        return survey.nps([a.nps for a in self.surveys])


class Writer:
    """Write an engine's log up to a moment, in batches, and tally it.

    With `organisation` None nothing is written (a dry run for the simulation's own speed).
    """

    def __init__(self, engine: Engine, organisation: Organisation | None, *, source: str, run_tag: str) -> None:
        self.engine = engine
        self.organisation = organisation
        self.source = source
        self.run_tag = run_tag
        self.position = 0
        self.tallies = Tallies()
        self.ids: dict[int, tuple[int, int]] = {}  # contact n -> (contact id, case id)
        self.legs_queued: dict[int, float] = {}
        self.handled_at: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.queue_ids = [organisation.queue_ids[q.code] for q in engine.queues] if organisation else []
        self.reason_ids = [organisation.reason_ids[r.code] for r in engine.scenario.reasons] if organisation else []
        self.agent_ids = [organisation.agent_ids[a.username] for a in engine.agents] if organisation else []

    def flush(self, until: float) -> int:
        """Write every logged entry before simulated time `until`; return how many were written."""
        log = self.engine.log
        end = self.position
        while end < len(log) and log[end].at < until:
            end += 1
        written = end - self.position
        start = self.position
        while start < end:
            stop = start
            arrivals = 0
            while stop < end and arrivals < BATCH and stop - start < BATCH * 8:
                arrivals += log[stop].kind == "arrive"
                stop += 1
            self._write(log[start:stop])
            start = stop
        self.position = end
        return written

    # -- tallies --

    def _tally(self, entry: Entry) -> None:
        t = self.tallies
        contact = entry.contact
        queues = self.engine.queues
        if entry.kind == "state":
            t.agent_states += 1
        elif entry.kind == "session":
            t.work_sessions += 1
            t.work_session_s += entry.wait
        elif entry.kind == "resolve":
            t.resolved_cases += 1
        elif entry.kind == "arrive" and contact is not None:
            t.contacts += 1
            q = queues[contact.first_queue]
            t.by_queue[q.code].offered += 1
            t.by_channel[q.channel] += 1
            t.repeats_caused += contact.is_repeat
            if contact.identity is not None:
                t.identified_contacts += 1
                earlier = self.handled_at.get(contact.identity, [])
                if any(0 <= entry.at - at <= REPEAT_WINDOW.total_seconds() for at in earlier):
                    t.repeat_contacts += 1
        elif entry.kind == "event" and contact is not None:
            t.contact_events += 1
            # The leg's queue: a transfer event is logged before the contact moves on.
            name = entry.name
            if name == "answered":
                tally = t.by_queue[queues[self._leg_queue(contact, entry)].code]
                tally.answered += 1
                tally.answered_wait_s += entry.wait
                threshold = queues[self._leg_queue(contact, entry)].sl_threshold_s
                tally.answered_within_threshold += entry.wait <= threshold
            elif name == "hold_ended":
                t.hold_s += entry.wait
            elif name == "abandoned":
                t.abandoned += 1
                tally = t.by_queue[queues[self._leg_queue(contact, entry)].code]
                tally.abandoned += 1
                if entry.wait < SHORT_ABANDON_S:
                    t.short_abandoned += 1
                    tally.short_abandoned += 1
            elif name == "transferred" and entry.to_queue is not None:
                t.transfers += 1
                t.transferred_contacts += 1 if self._first_transfer(contact) else 0
                t.by_queue[queues[entry.to_queue].code].offered += 1
                self.legs_queued[contact.n] = entry.to_queue
            elif name in ("ended", "replied"):
                t.handled += 1
                if contact.identity is not None:
                    self.handled_at[contact.identity].append(contact.arrived)
                if contact.answer is not None:
                    t.surveys.append(contact.answer)

    def _leg_queue(self, contact: SimContact, entry: Entry) -> int:
        del entry
        return int(self.legs_queued.get(contact.n, contact.first_queue))

    def _first_transfer(self, contact: SimContact) -> bool:
        return contact.n not in self.legs_queued

    # -- writes --

    def _write(self, entries: list[Entry]) -> None:
        for entry in entries:
            self._tally(entry)
        if self.organisation is None:
            return
        with transaction.atomic():
            self._arrivals([e.contact for e in entries if e.kind == "arrive" and e.contact is not None])
            events = [self._event(e) for e in entries if e.kind == "event"]
            record_contact_events(events)
            record_agent_states(
                [
                    AgentStateInput(self.agent_ids[e.agent], e.name, self.engine.at(e.at))
                    for e in entries
                    if e.kind == "state" and e.agent is not None
                ]
            )
            record_work_sessions([self._session(e) for e in entries if e.kind == "session"])
            resolve_cases([self._resolution(e) for e in entries if e.kind == "resolve"])

    def _event(self, entry: Entry) -> ContactEventInput:
        assert entry.contact is not None
        return ContactEventInput(
            contact_id=self.ids[entry.contact.n][0],
            name=entry.name,
            occurred_at=self.engine.at(entry.at),
            agent_id=self.agent_ids[entry.agent] if entry.agent is not None else None,
            to_queue_id=self.queue_ids[entry.to_queue] if entry.to_queue is not None else None,
        )

    def _session(self, entry: Entry) -> FinishedWorkSession:
        assert entry.contact is not None and entry.agent is not None
        contact_id, case_id = self.ids[entry.contact.n]
        return FinishedWorkSession(
            agent_id=self.agent_ids[entry.agent],
            case_id=case_id,
            contact_id=contact_id,
            started_at=self.engine.at(entry.at - entry.wait),
            ended_at=self.engine.at(entry.at),
            outcome="replied",
        )

    def _resolution(self, entry: Entry) -> CaseResolution:
        assert entry.contact is not None
        return CaseResolution(
            case_id=self.ids[entry.contact.n][1],
            occurred_at=self.engine.at(entry.at),
            by_id=self.agent_ids[entry.agent] if entry.agent is not None else None,
            reason_id=self.reason_ids[entry.reason] if entry.reason is not None else None,
        )

    def _arrivals(self, contacts: list[SimContact]) -> None:
        if not contacts:
            return
        queues = self.engine.queues
        items = []
        for c in contacts:
            q = queues[c.first_queue]
            identities = (IdentityInput(*c.identity),) if c.identity else (IdentityInput("phone", "anonymous"),)
            items.append(
                InboundContact(
                    source=self.source,
                    queue=q.code,
                    occurred_at=self.engine.at(c.arrived),
                    external_id=f"{self.run_tag}-{c.n}",
                    channel=q.channel,
                    identities=identities,
                    customer_name=c.customer.name,
                    account_ref=c.customer.account,
                    language=c.customer.language,
                    subject=c.message.subject if q.channel == "email" else "",
                    text=c.message.text,
                    thread=ThreadRef(conversation_id=f"{self.run_tag}-{c.n}" if q.channel == "chat" else ""),
                    is_public=q.channel == "social",
                )
            )
        for contact, received in zip(contacts, receive_contacts(items), strict=True):
            if received.outcome == Outcome.REJECTED or received.contact_id is None or received.case_id is None:
                raise ValueError(f"the simulated contact {contact.n} was rejected: {received.errors}")
            self.ids[contact.n] = (received.contact_id, received.case_id)
