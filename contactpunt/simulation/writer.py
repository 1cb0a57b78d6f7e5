"""Turn the engine's records into service calls, and keep the run's own tallies of what was written.

Arrivals go through `receive_contacts` in batches; contact events (presented, answered, holds,
transfers, ...), agent states, work sessions of written contacts and resolutions through the batch
services of `contacts.services.bulk_events`, which write the same rows as the
single services. Every row carries its simulated `occurred_at`. Nothing is written straight into a
table. The tallies count exactly the records written, so `kpis` can be checked against them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from contactpunt.contacts import announcements
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
from contactpunt.feedback.services.bulk_answers import (
    GivenAnswer,
    WentOut,
    record_answers,
    record_went_out,
    work_follow_up_list,
)
from contactpunt.feedback.services.delivery import SEND_WITHIN
from contactpunt.simulation import survey
from contactpunt.simulation.engine import LOCAL, Arrival, Engine, Record
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
    by_day: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))  # contacts per local day
    surveys: list[survey.SurveyAnswer] = field(default_factory=list)

    @property
    def nps(self) -> float:
        return survey.nps([a.nps for a in self.surveys])


class Writer:
    """Write an engine's records, in batches, and tally them.

    With `organisation` None nothing is written (a dry run for the simulation's own speed). `engine`
    gives the run's shape (queues, reasons, agents, start); the records may come from it or from the
    same engine in a child process (engine_process.py).
    """

    def __init__(self, engine: Engine, organisation: Organisation | None, *, source: str, run_tag: str) -> None:
        self.engine = engine
        self.organisation = organisation
        self.source = source
        self.run_tag = run_tag
        self.tallies = Tallies()
        self.ids: dict[int, tuple[int, int]] = {}  # contact n -> (contact id, case id)
        self.arrivals: dict[int, tuple[int, tuple[str, str, str] | None, float]] = {}  # n -> first queue, identity, at
        self.legs_queued: dict[int, int] = {}
        self.handled_at: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.start_s = engine.start.timestamp()
        self.local_days: dict[int, dt.date] = {}  # hour of UTC since the epoch -> its local day
        self.queue_ids = [organisation.queue_ids[q.code] for q in engine.queues] if organisation else []
        self.reason_ids = [organisation.reason_ids[r.code] for r in engine.scenario.reasons] if organisation else []
        self.agent_ids = [organisation.agent_ids[a.username] for a in engine.agents] if organisation else []
        self.answers: list[GivenAnswer] = []  # given, waiting for their case's resolution and invitation
        self.went_out: list[WentOut] = []  # invitations of customers who do not answer, waiting for their send time

    def write(self, records: list[Record]) -> None:
        """Write `records` (in simulated-time order) in transactions of up to BATCH arrivals."""
        start = 0
        while start < len(records):
            stop = start
            arrivals = 0
            while stop < len(records) and arrivals < BATCH and stop - start < BATCH * 8:
                arrivals += records[stop][1] == "arrive"
                stop += 1
            self._write(records[start:stop])
            start = stop

    # -- tallies --

    def _tally(self, record: Record) -> None:
        at, kind, n, name, _agent, to_queue, _reason, wait, extra = record
        t = self.tallies
        queues = self.engine.queues
        if kind == "state":
            t.agent_states += 1
        elif kind == "session":
            t.work_sessions += 1
            t.work_session_s += wait
        elif kind == "resolve":
            t.resolved_cases += 1
        elif kind == "arrive":
            arrival: Arrival = extra
            self.arrivals[n] = (arrival.first_queue, arrival.identity, at)
            t.contacts += 1
            q = queues[arrival.first_queue]
            t.by_queue[q.code].offered += 1
            t.by_channel[q.channel] += 1
            t.by_day[self._local_day(at)] += 1
            t.repeats_caused += arrival.is_repeat
            if arrival.identity is not None:
                t.identified_contacts += 1
                earlier = self.handled_at.get(arrival.identity, [])
                if any(0 <= at - handled <= REPEAT_WINDOW.total_seconds() for handled in earlier):
                    t.repeat_contacts += 1
        elif kind == "event":
            t.contact_events += 1
            first_queue, identity, arrived = self.arrivals[n]
            # The leg's queue: a transfer event is logged before the contact moves on.
            leg_queue = queues[self.legs_queued.get(n, first_queue)]
            if name == "answered":
                tally = t.by_queue[leg_queue.code]
                tally.answered += 1
                tally.answered_wait_s += wait
                tally.answered_within_threshold += wait <= leg_queue.sl_threshold_s
            elif name == "hold_ended":
                t.hold_s += wait
            elif name == "abandoned":
                t.abandoned += 1
                tally = t.by_queue[leg_queue.code]
                tally.abandoned += 1
                if wait < SHORT_ABANDON_S:
                    t.short_abandoned += 1
                    tally.short_abandoned += 1
            elif name == "transferred" and to_queue is not None:
                t.transfers += 1
                t.transferred_contacts += n not in self.legs_queued
                t.by_queue[queues[to_queue].code].offered += 1
                self.legs_queued[n] = to_queue
            elif name in ("ended", "replied"):
                t.handled += 1
                if identity is not None:
                    self.handled_at[identity].append(arrived)
                if extra is not None:
                    t.surveys.append(extra)

    def _local_day(self, at: float) -> dt.date:
        hour = int((self.start_s + at) // 3600)  # hours of UTC: local days begin on one (whole-hour offsets)
        day = self.local_days.get(hour)
        if day is None:
            day = self.local_days[hour] = dt.datetime.fromtimestamp(hour * 3600, LOCAL).date()
        return day

    # -- writes --

    def _write(self, records: list[Record]) -> None:
        """Write one transaction's records, then tally them: a transaction that failed (the database stayed
        locked past its busy timeout) rolled back and can be written again without counting anything twice."""
        if self.organisation is not None:
            self._write_rows(records)
        for record in records:
            self._tally(record)

    def _write_rows(self, records: list[Record]) -> None:
        at = self.engine.at
        agent_ids = self.agent_ids
        with transaction.atomic():
            self._arrivals([r for r in records if r[1] == "arrive"])
            ids = self.ids
            queue_ids = self.queue_ids
            record_contact_events(
                [
                    ContactEventInput(
                        contact_id=ids[n][0],
                        name=name,
                        occurred_at=at(t),
                        agent_id=None if agent is None else agent_ids[agent],
                        to_queue_id=None if to_queue is None else queue_ids[to_queue],
                    )
                    for t, kind, n, name, agent, to_queue, _reason, _wait, _extra in records
                    if kind == "event"
                ]
            )
            record_agent_states(
                [
                    AgentStateInput(agent_ids[agent], name, at(t))
                    for t, kind, _n, name, agent, *_rest in records
                    if kind == "state" and agent is not None
                ]
            )
            record_work_sessions(
                [
                    FinishedWorkSession(
                        agent_id=agent_ids[agent],
                        case_id=ids[n][1],
                        contact_id=ids[n][0],
                        started_at=at(t - wait),
                        ended_at=at(t),
                        outcome="replied",
                    )
                    for t, kind, n, _name, agent, _to_queue, _reason, wait, _extra in records
                    if kind == "session" and agent is not None
                ]
            )
            resolve_cases(
                [
                    CaseResolution(
                        case_id=ids[n][1],
                        occurred_at=at(t),
                        by_id=None if agent is None else agent_ids[agent],
                        reason_id=None if reason is None else self.reason_ids[reason],
                    )
                    for t, kind, n, _name, agent, _to_queue, reason, _wait, _extra in records
                    if kind == "resolve"
                ]
            )
        # After the commit, when the CASE_RESOLVED subscriber has decided the batch's invitations.
        self._answers(records)

    def _answers(self, records: list[Record]) -> None:
        """Store the survey answers of this batch (and those still waiting) through the feedback services: a
        case's customer answers once the case is resolved and the invitation rules chose them."""
        for _t, kind, n, name, *_rest, extra in records:
            if kind == "event" and name in ("ended", "replied") and isinstance(extra, survey.SurveyAnswer):
                self.answers.append(
                    GivenAnswer(
                        case_id=self.ids[n][1],
                        score=extra.nps,
                        solved=extra.solved,
                        expertise=extra.expertise,
                        friendliness=extra.friendliness,
                        effort=extra.effort,
                    )
                )
        latest = self.engine.at(records[-1][0]) if records else None
        if latest is not None:
            # The invitations of the cases resolved in this batch whose customers do not answer still went out:
            # most were delivered, some opened; the answered ones are marked below when their answers are stored.
            # Those of the last days are left to the outbox, which sends them for real (as it does live).
            answering = {a.case_id for a in self.answers}
            resolved = {self.ids[n][1] for _t, kind, n, *_rest in records if kind == "resolve"}
            self.went_out += [WentOut(case_id, *survey.went_out(case_id)) for case_id in sorted(resolved - answering)]
            self.went_out = record_went_out(self.went_out, now=min(latest, timezone.now() - SEND_WITHIN))
        if self.answers and latest is not None:
            # Writing a history, every resolution's invitation was decided at once as it was written (live, a
            # subscriber that failed is retried later: deciding here keeps its case's answer).
            decided = announcements.delivering_at_once()
            self.answers = record_answers(self.answers, now=latest, decided=decided).pending
            work_follow_up_list(now=latest)  # the team leads call most detractors back before the due time

    def _arrivals(self, records: list[Record]) -> None:
        if not records:
            return
        queues = self.engine.queues
        anonymous = (IdentityInput("phone", "anonymous"),)
        items = []
        for t, _kind, n, *_rest, arrival in records:
            q = queues[arrival.first_queue]
            external_id = f"{self.run_tag}-{n}"
            items.append(
                InboundContact(
                    source=self.source,
                    queue=q.code,
                    occurred_at=self.engine.at(t),
                    external_id=external_id,
                    channel=q.channel,
                    identities=(IdentityInput(*arrival.identity),) if arrival.identity else anonymous,
                    customer_name=arrival.customer_name,
                    account_ref=arrival.account,
                    language=arrival.language,
                    subject=arrival.subject if q.channel == "email" else "",
                    text=arrival.text,
                    thread=ThreadRef(conversation_id=external_id if q.channel == "chat" else ""),
                    is_public=q.channel == "social",
                )
            )
        for record, received in zip(records, receive_contacts(items), strict=True):
            if received.outcome == Outcome.REJECTED or received.contact_id is None or received.case_id is None:
                raise ValueError(f"the simulated contact {record[2]} was rejected: {received.errors}")
            self.ids[record[2]] = (received.contact_id, received.case_id)
