"""Read the event log into the facts every metric is computed from: the one place that interprets events.

A *unit* is what a queue figure counts. At centre level (and per channel, day or interval) the unit is
the contact: offered once, when its first leg was queued, answered when any leg was answered. Per queue,
team or agent the unit is the leg: a transferred call is offered to each queue it was queued in, with the
wait of that leg. Every unit belongs to the interval in which it entered the queue.

Corrections: an event whose `data` holds `"corrects": <event id>` replaces that earlier event (which is
then ignored); a late event (recorded long after it occurred) simply takes its place by `occurred_at`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactEvent,
    ContactReason,
    Direction,
    EventName,
    Queue,
    WorkSession,
)
from contactpunt.fast_rows import values_rows
from contactpunt.id_filters import ids_in
from contactpunt.people.models import User

Level = str
CONTACT: Level = "contact"
LEG: Level = "leg"

_LEG_ENDS = (EventName.TRANSFERRED, EventName.ENDED, EventName.ABANDONED)


@dataclass(frozen=True, slots=True)
class QueueRules:
    """The norms of a queue that metrics need."""

    queue_id: int
    channel: str
    sl_threshold_s: int
    short_abandon_s: int
    response_norm_s: int | None
    department_id: int | None


@dataclass(slots=True)
class Unit:
    """One contact (level "contact") or one leg (level "leg") offered to a queue.

    `outcome` is "answered", "abandoned", "left" (a leg transferred on before anyone answered) or
    "waiting" (no outcome yet). Seconds are wall-clock; `handle_s` is talk + hold + wrap-up (written
    channels: work-session time) and counts only when `is_handled`.
    """

    level: Level
    contact_id: int
    case_id: int
    customer_id: int | None
    channel: str
    queue_id: int
    team_id: int | None
    agent_id: int | None
    queued_at: dt.datetime
    outcome: str = "waiting"
    outcome_at: dt.datetime | None = None
    is_handled: bool = False
    is_transferred: bool = False
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    short_abandon_s: int = 5
    sl_threshold_s: int = 20
    account_id: int | None = None
    product_type_id: int | None = None

    @property
    def wait_s(self) -> float | None:
        """Seconds from entering the queue to the answer or the abandon; None while waiting."""
        if self.outcome_at is None:
            return None
        return (self.outcome_at - self.queued_at).total_seconds()

    @property
    def handle_s(self) -> float:
        return self.talk_s + self.hold_s + self.wrap_s

    @property
    def is_short_abandon(self) -> bool:
        """Abandoned after less than the queue's short-abandon threshold, on voice and chat only."""
        wait = self.wait_s
        return (
            self.outcome == "abandoned"
            and self.channel in Channel.realtime()
            and wait is not None
            and wait < self.short_abandon_s
        )


@dataclass(slots=True)
class _Leg:
    sequence: int
    queue_id: int | None = None
    queued_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    agent_id: int | None = None
    ended_at: dt.datetime | None = None
    end_name: str = ""
    hold_s: float = 0.0
    wrap_s: float = 0.0
    events: list[tuple[str, dt.datetime, int | None, dict[str, Any]]] = field(default_factory=list)


def queue_rules() -> dict[int, QueueRules]:
    """Every queue's norms by id."""
    return {
        q.pk: QueueRules(
            q.pk, q.channel, q.sl_threshold_s, q.short_abandon_s, q.effective_response_norm_s, q.department_id
        )
        for q in Queue.objects.all()
    }


def agent_teams() -> dict[int, int | None]:
    """Every user's team by user id (an agent's figures count for their current team)."""
    return dict(User.objects.values_list("pk", "team_id"))


EventRow = tuple[int, int, str, int, int | None, int | None, dt.datetime, dict[str, Any]]


def effective_events(rows: Iterable[EventRow]) -> list[EventRow]:
    """Drop the events that a later event corrects (`data["corrects"]`), and order by occurred_at, id."""
    rows = list(rows)
    corrected = {r[7].get("corrects") for r in rows if isinstance(r[7], dict) and r[7].get("corrects")}
    kept = [r for r in rows if r[0] not in corrected]
    kept.sort(key=lambda r: (r[6], r[0]))
    return kept


def contacts_entering(start: dt.datetime, end: dt.datetime, *, channels: Collection[str] | None = None) -> list[int]:
    """Ids of the contacts (on `channels`, default all) with a `queued` event in [start, end)."""
    events = ContactEvent.objects.filter(name=EventName.QUEUED, occurred_at__gte=start, occurred_at__lt=end)
    if channels is not None:
        events = events.filter(contact__channel__in=list(channels))
    return list(events.order_by().values_list("contact_id", flat=True).distinct())


def load_units(
    start: dt.datetime,
    end: dt.datetime,
    *,
    level: Level,
    contact_ids: Sequence[int] | None = None,
    rules: dict[int, QueueRules] | None = None,
    teams: dict[int, int | None] | None = None,
    channels: Collection[str] | None = None,
    whole_contacts: bool = False,
) -> list[Unit]:
    """Return the units of `level` that entered a queue in [start, end), built from the event log; with
    `whole_contacts`, every unit of the contacts that have one there (also those entering before or after)."""
    ids = list(contact_ids) if contact_ids is not None else contacts_entering(start, end, channels=channels)
    if not ids:
        return []
    rules = rules if rules is not None else queue_rules()
    teams = teams if teams is not None else agent_teams()
    units: list[Unit] = []
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        units += _units_of(chunk, (level,), rules, teams)[level]
    return units if whole_contacts else [u for u in units if start <= u.queued_at < end]


def load_legs_and_contacts(start: dt.datetime, end: dt.datetime) -> tuple[list[Unit], list[Unit]]:
    """The units of level LEG and of level CONTACT that entered a queue in [start, end), as `load_units` returns
    them for each level, from one read of the event log (a page that shows both reads the events once)."""
    ids = contacts_entering(start, end)
    rules, teams = queue_rules(), agent_teams()
    legs: list[Unit] = []
    contacts: list[Unit] = []
    for chunk_start in range(0, len(ids), 5000):
        built = _units_of(ids[chunk_start : chunk_start + 5000], (LEG, CONTACT), rules, teams)
        legs += built[LEG]
        contacts += built[CONTACT]
    return [u for u in legs if start <= u.queued_at < end], [u for u in contacts if start <= u.queued_at < end]


def _units_of(
    ids: Sequence[int], levels: Sequence[Level], rules: dict[int, QueueRules], teams: dict[int, int | None]
) -> dict[Level, list[Unit]]:
    # The ids are keys already (ids_in), and the events' times and payloads are read by values_rows' shortcut:
    # the ORM's per-value work was most of the cost (a few weeks of events: the first start's quick forecast).
    contacts = {
        row[0]: row
        for row in values_rows(
            Contact.objects.filter(ids_in("pk", ids)).values_list(
                "pk", "case_id", "customer_id", "channel", "customer__account_id", "case__product_type_id"
            )
        )
    }
    events: dict[int, list[EventRow]] = defaultdict(list)
    rows = ContactEvent.objects.filter(ids_in("contact_id", ids)).values_list(
        "pk", "contact_id", "name", "leg", "queue_id", "agent_id", "occurred_at", "data"
    )
    for row in values_rows(rows):
        events[row[1]].append(row)
    sessions: dict[int, float] = defaultdict(float)
    for contact_id, started, ended in values_rows(
        WorkSession.objects.filter(ids_in("contact_id", ids), ended_at__isnull=False).values_list(
            "contact_id", "started_at", "ended_at"
        )
    ):
        if contact_id is not None and ended is not None:
            sessions[contact_id] += (ended - started).total_seconds()
    units: dict[Level, list[Unit]] = {level: [] for level in levels}
    for contact_id in ids:
        info = contacts.get(contact_id)
        if info is None:
            continue
        kept = effective_events(events[contact_id])
        legs = _legs(kept)
        session_s = sessions.get(contact_id, 0.0)
        for level in levels:
            units[level] += _build(info, kept, legs, session_s, level=level, rules=rules, teams=teams)
    return units


def _legs(rows: list[EventRow]) -> list[_Leg]:
    legs: dict[int, _Leg] = {}
    for _pk, _contact, name, number, queue_id, agent_id, at, data in rows:
        leg = legs.setdefault(number, _Leg(number))
        leg.events.append((name, at, agent_id, data))
        if name == EventName.QUEUED and leg.queued_at is None:
            leg.queued_at, leg.queue_id = at, queue_id
        elif name == EventName.PRESENTED and agent_id is not None and leg.agent_id is None:
            leg.agent_id = agent_id
        elif name == EventName.ANSWERED and leg.answered_at is None:
            leg.answered_at = at
            leg.agent_id = agent_id or leg.agent_id
        elif name in _LEG_ENDS and leg.ended_at is None:
            leg.ended_at, leg.end_name = at, name
    for leg in legs.values():
        # An answer or end logged before the queue entry (clocks of two systems, an import's missing time)
        # is taken as happening at the entry: a wait is never negative.
        if leg.queued_at is not None:
            if leg.answered_at is not None and leg.answered_at < leg.queued_at:
                leg.answered_at = leg.queued_at
            floor = leg.answered_at or leg.queued_at
            if leg.ended_at is not None and leg.ended_at < floor:
                leg.ended_at = floor
        hold_from: dt.datetime | None = None
        wrap_from: dt.datetime | None = None
        for name, at, _agent, _data in leg.events:
            if name == EventName.HOLD_STARTED and hold_from is None:
                hold_from = at
            elif name == EventName.HOLD_ENDED and hold_from is not None:
                leg.hold_s += max((at - hold_from).total_seconds(), 0.0)
                hold_from = None
            elif name == EventName.WRAP_STARTED and wrap_from is None:
                wrap_from = at
            elif name == EventName.WRAPPED:
                begin = wrap_from or leg.ended_at
                if begin is not None:
                    leg.wrap_s += max((at - begin).total_seconds(), 0.0)
                wrap_from = None
        if hold_from is not None and leg.ended_at is not None:
            leg.hold_s += max((leg.ended_at - hold_from).total_seconds(), 0.0)
    return [legs[n] for n in sorted(legs) if legs[n].queued_at is not None]


def _first_reply(rows: list[EventRow]) -> dt.datetime | None:
    for _pk, _contact, name, _leg, _queue, _agent, at, data in rows:
        if name == EventName.REPLIED and not (data.get("internal") or data.get("automatic")):
            return at
    return None


def _build(
    info: tuple[int, int, int | None, str, int | None, int | None],
    rows: list[EventRow],
    legs: list[_Leg],
    session_s: float,
    *,
    level: Level,
    rules: dict[int, QueueRules],
    teams: dict[int, int | None],
) -> list[Unit]:
    """The units of `level` of one contact, from its effective events `rows` and their `legs` (`_legs(rows)`)."""
    contact_id, case_id, customer_id, channel, account_id, product_type_id = info
    if not legs:
        return []
    is_written = channel not in Channel.realtime()

    def unit(leg_list: list[_Leg], queue_id: int, queued_at: dt.datetime) -> Unit:
        rule = rules.get(queue_id)
        u = Unit(
            level,
            contact_id,
            case_id,
            customer_id,
            channel,
            queue_id,
            None,
            None,
            queued_at,
            short_abandon_s=rule.short_abandon_s if rule else 5,
            sl_threshold_s=rule.sl_threshold_s if rule else 20,
            account_id=account_id,
            product_type_id=product_type_id,
        )
        answered = [] if is_written else [leg for leg in leg_list if leg.answered_at is not None]
        reply = _first_reply(rows) if is_written else None
        if reply is not None:
            u.outcome, u.outcome_at, u.is_handled = "answered", reply, True
            u.talk_s = session_s
            u.agent_id = next((a for n, _at, a, _d in _all(leg_list) if n == EventName.REPLIED and a), None)
        elif answered:
            first = answered[0]
            u.outcome, u.outcome_at, u.agent_id = "answered", first.answered_at, first.agent_id
            u.is_handled = all(leg.ended_at is not None for leg in answered)
            for leg in answered:
                if leg.ended_at is not None and leg.answered_at is not None:
                    u.talk_s += max((leg.ended_at - leg.answered_at).total_seconds() - leg.hold_s, 0.0)
                u.hold_s += leg.hold_s
                u.wrap_s += leg.wrap_s
        else:
            last = leg_list[-1]
            if last.end_name in (EventName.ABANDONED, EventName.ENDED):
                u.outcome, u.outcome_at = "abandoned", last.ended_at
            elif last.end_name == EventName.TRANSFERRED:
                u.outcome, u.outcome_at = "left", last.ended_at
        u.is_transferred = any(leg.end_name == EventName.TRANSFERRED for leg in leg_list)
        u.team_id = teams.get(u.agent_id) if u.agent_id is not None else None
        return u

    if level == CONTACT:
        first = legs[0]
        assert first.queue_id is not None and first.queued_at is not None
        return [unit(legs, first.queue_id, first.queued_at)]
    units: list[Unit] = []
    seen: set[int] = set()
    for leg in legs:
        assert leg.queue_id is not None and leg.queued_at is not None
        if leg.queue_id in seen:
            continue  # offered once per queue: a transfer back is not a new offer
        seen.add(leg.queue_id)
        units.append(unit([leg], leg.queue_id, leg.queued_at))
    return units


def _all(legs: list[_Leg]) -> Iterable[tuple[str, dt.datetime, int | None, dict[str, Any]]]:
    for leg in legs:
        yield from leg.events


# -- cases -------------------------------------------------------------------------------------


@dataclass(slots=True)
class CaseFacts:
    """What the case metrics need of one case, from its events and contacts."""

    case_id: int
    customer_id: int | None
    queue_id: int
    channel: str
    reason_root_id: int | None
    opened_at: dt.datetime
    first_resolved_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolved_by_id: int | None
    is_reopened: bool
    inbound_before_resolution: int
    account_id: int | None = None
    product_type_id: int | None = None


def reason_roots() -> dict[int, int]:
    """Map every contact reason to its top-level reason."""
    parents = dict(ContactReason.objects.values_list("pk", "parent_id"))
    roots: dict[int, int] = {}
    for pk in parents:
        node = pk
        for _ in range(50):
            parent = parents.get(node)
            if parent is None:
                break
            node = parent
        roots[pk] = node
    return roots


def load_cases(case_filter: Q) -> list[CaseFacts]:
    """Load the facts of the cases matching `case_filter` (merged cases are left out)."""
    roots = reason_roots()
    matching = Case.objects.filter(case_filter).exclude(status=CaseStatus.MERGED)
    cases = list(
        matching.order_by()
        .values_list("pk", "customer_id", "queue_id", "channel", "reason_id", "customer__account_id", "product_type_id")
        .distinct()
    )
    # Semi-joins on the same filter: the database finds the rows, no long lists of ids go back and forth.
    life: dict[int, list[tuple[str, dt.datetime, int | None]]] = defaultdict(list)
    for case_id, name, at, agent in (
        ContactEvent.objects.filter(
            case_id__in=matching.values("pk"), name__in=[EventName.RESOLVED, EventName.REOPENED]
        )
        .order_by("occurred_at", "pk")
        .values_list("case_id", "name", "occurred_at", "agent_id")
    ):
        life[case_id].append((name, at, agent))
    inbound: dict[int, list[dt.datetime]] = defaultdict(list)
    for case_id, at in (
        Contact.objects.filter(case_id__in=matching.values("pk"), direction=Direction.INBOUND)
        .order_by()
        .values_list("case_id", "occurred_at")
    ):
        inbound[case_id].append(at)
    facts = []
    for pk, customer_id, queue_id, channel, reason_id, account_id, product_type_id in cases:
        events = life[pk]
        arrivals = sorted(inbound[pk])
        if not arrivals:
            continue
        resolved = [e for e in events if e[0] == EventName.RESOLVED]
        first_resolved = resolved[0][1] if resolved else None
        final = events[-1] if events and events[-1][0] == EventName.RESOLVED else None
        facts.append(
            CaseFacts(
                pk,
                customer_id,
                queue_id,
                channel,
                roots.get(reason_id) if reason_id is not None else None,
                arrivals[0],
                first_resolved,
                final[1] if final else None,
                final[2] if final else (resolved[0][2] if resolved else None),
                any(e[0] == EventName.REOPENED for e in events),
                sum(1 for a in arrivals if first_resolved is not None and a <= first_resolved),
                account_id,
                product_type_id,
            )
        )
    return facts
