"""The figures of now, shared by the overview, the KPI "today" page and the wallboard.

One function per figure, so the screens cannot disagree:

- *open* and *waiting* are `contacts.inbox.open_cases` and `contacts.inbox.waiting_contacts` (the inbox
  counts the same querysets);
- *service level* is shown for phone and chat only (`metrics.service_level`); written channels show the
  share answered within the queue's norm (`written.first_response_within_norm`, where every message still
  waiting past its norm counts as missed) and their backlog: the written contacts still waiting;
- *overdue* is what the inbox marks overdue (`contacts.inbox.NormClock`): waiting past the service-level
  threshold on phone and chat, past the response norm (business hours) on written channels;
- targets come from the queues (`Queue.sl_target`), never from a literal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count

from contactpunt.access import queues_for, sees_every_queue, visible_cases
from contactpunt.contacts.business_hours import schedule_for
from contactpunt.contacts.inbox import (
    NormClock,
    SlaRisk,
    open_cases,
    waiting_contacts,
)
from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.customers.models import Customer
from contactpunt.kpis import metrics
from contactpunt.kpis.facts import CONTACT, Unit, load_legs_and_contacts, load_units
from contactpunt.kpis.intervals import interval_start, local_midnight
from contactpunt.kpis.written import Earlier, first_response_within_norm, waiting_written
from contactpunt.people.models import User


@dataclass(frozen=True, slots=True)
class QueueNow:
    """One queue today: phone and chat with their service level, written channels with their norm."""

    queue_id: int
    code: str
    name: str
    channel: str
    is_realtime: bool
    waiting: int  # contacts waiting now (written channels: the backlog)
    longest_wait_s: float | None  # written channels: the age of the oldest message in the backlog
    overdue: int  # waiting past the threshold (phone, chat) or the response norm (written)
    offered_today: int
    answered_today: int
    service_level_today: float | None  # phone and chat only
    sl_target: float | None  # phone and chat only
    within_norm_today: float | None  # written channels only
    asa_s: float | None  # phone and chat only
    abandon_rate: float | None

    @property
    def below_target(self) -> bool:
        """True when the service level is known and under the queue's target."""
        return (
            self.service_level_today is not None
            and self.sl_target is not None
            and self.service_level_today < self.sl_target
        )


@dataclass(frozen=True, slots=True)
class Now:
    """The centre now: open cases, waiting contacts, service level (phone, chat) and the written norm."""

    at: dt.datetime
    queues: list[QueueNow]
    open_cases: int
    waiting: int
    longest_wait_s: float | None  # phone and chat: the customer waiting longest now (written: oldest_backlog_age_s)
    overdue: int
    offered_today: int
    service_level_today: float | None  # each contact once (a transfer is no second offer)
    sl_target: float | None
    asa_s: float | None  # phone and chat
    within_norm_today: float | None
    backlog: int  # written contacts waiting
    oldest_backlog_age_s: float | None

    @property
    def realtime_queues(self) -> list[QueueNow]:
        return [q for q in self.queues if q.is_realtime]

    @property
    def written_queues(self) -> list[QueueNow]:
        return [q for q in self.queues if not q.is_realtime]


@dataclass(frozen=True, slots=True)
class _Waiting:
    n: int
    oldest: dt.datetime | None
    overdue: int


def sl_target(queues: Sequence[Queue], weights: dict[int, int] | None = None) -> float | None:
    """The centre's service-level target: the phone and chat queues' own targets, weighted by `weights`
    (contacts offered) when any were offered, else their plain mean; None without such queues."""
    realtime = [q for q in queues if q.channel in Channel.realtime()]
    weighted = [(float(q.sl_target), (weights or {}).get(q.pk, 0)) for q in realtime]
    total = sum(w for _, w in weighted)
    if total:
        return sum(t * w for t, w in weighted) / total
    return sum(t for t, _ in weighted) / len(weighted) if weighted else None


def _queues() -> list[Queue]:
    return list(Queue.objects.select_related("calendar").prefetch_related("calendar__opening_hours").order_by("name"))


def _waiting(queues: Sequence[Queue], now: dt.datetime) -> dict[int, _Waiting]:
    """Per queue: the contacts waiting now, the oldest's arrival and how many are overdue (as the inbox)."""
    clock = NormClock.for_queues(queues, now)
    by_id = {q.pk: q for q in queues}
    arrivals: dict[int, list[dt.datetime]] = defaultdict(list)
    for queue_id, since in waiting_contacts().order_by().values_list("queue_id", "occurred_at"):
        arrivals[queue_id].append(since)
    found = {}
    for queue_id, moments in arrivals.items():
        queue = by_id.get(queue_id)
        overdue = 0
        if queue is not None:
            overdue = sum(1 for m in moments if clock.risk(clock.due(queue, m), queue) is SlaRisk.OVERDUE)
        found[queue_id] = _Waiting(len(moments), min(moments), overdue)
    return found


def _today(now: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Today so far: from the local midnight of `now` up to and including `now`."""
    return local_midnight(now.astimezone(zone).date(), zone), now + dt.timedelta(seconds=1)


def offered_today(units: Sequence[Unit], queue_ids: Collection[int] | None = None) -> int:
    """Offered today (DESIGN.md), the one definition behind "Contacten vandaag" on the overview and "Aangeboden" on
    "Vandaag" and the wallboard: contacts whose first queued event fell today, each once (a transfer is no second
    offer), in `queue_ids` (the queue it entered first) when given. `units` are today's units of contact level."""
    if queue_ids is not None:
        units = [u for u in units if u.queue_id in queue_ids]
    return metrics.offered(units)


@dataclass(frozen=True, slots=True)
class TodayUnits:
    """Today's units so far (the local day of `at`, up to and including `at`): per leg and per contact."""

    at: dt.datetime
    legs: list[Unit]
    contacts: list[Unit]


def today_units(now: dt.datetime, zone: ZoneInfo) -> TodayUnits:
    """Today's units at `now`, both levels from one read of the event log (`now_figures` and
    `service_level_per_interval` share them on the "today" page)."""
    start, until = _today(now, zone)
    legs, contacts = load_legs_and_contacts(start, until)
    return TodayUnits(now, legs, contacts)


def now_figures(now: dt.datetime, zone: ZoneInfo, today: TodayUnits | None = None) -> Now:
    """Every queue's figures of today (the local day of `now`) and the centre's, live at `now`; from `today`
    (`today_units(now, zone)`) when given."""
    start, _until = _today(now, zone)
    if today is None or today.at != now:
        today = today_units(now, zone)
    queues = _queues()
    waiting = _waiting(queues, now)
    schedules = {q.pk: (schedule_for(q.calendar), q.effective_response_norm_s) for q in queues}
    earlier: dict[int, list[Earlier]] = defaultdict(list)
    for queue_id, _channel, since, _account, _product in waiting_written(before=start):
        earlier[queue_id].append((queue_id, since))
    units: dict[int, list[Unit]] = defaultdict(list)
    for unit in today.legs:
        units[unit.queue_id].append(unit)
    rows = []
    # Every active queue, and an inactive one while contacts still wait in it (they count as waiting).
    for queue in (q for q in queues if q.is_active or q.pk in waiting):
        queued = units.get(queue.pk, [])
        now_waiting = waiting.get(queue.pk, _Waiting(0, None, 0))
        realtime = queue.channel in Channel.realtime()
        rows.append(
            QueueNow(
                queue.pk,
                queue.code,
                queue.name,
                queue.channel,
                realtime,
                now_waiting.n,
                (now - now_waiting.oldest).total_seconds() if now_waiting.oldest else None,
                now_waiting.overdue,
                metrics.offered(queued),
                metrics.answered(queued),
                metrics.service_level(queued, now=now) if realtime else None,
                float(queue.sl_target) if realtime else None,
                None if realtime else first_response_within_norm(queued, schedules, now=now, earlier=earlier[queue.pk]),
                metrics.asa_s(queued) if realtime else None,
                metrics.abandon_rate(queued),
            )
        )
    every = today.contacts
    written = [r for r in rows if not r.is_realtime]
    oldest_written = [r.longest_wait_s for r in written if r.longest_wait_s is not None]
    longest = [r.longest_wait_s for r in rows if r.is_realtime and r.longest_wait_s is not None]
    return Now(
        now,
        rows,
        open_cases().count(),
        sum(r.waiting for r in rows),
        max(longest) if longest else None,
        sum(r.overdue for r in rows),
        offered_today(every),
        metrics.service_level(every, now=now),
        sl_target([q for q in queues if q.is_active], {r.queue_id: r.offered_today for r in rows}),
        metrics.asa_s(u for u in every if u.channel in Channel.realtime()),
        first_response_within_norm(
            every, schedules, now=now, earlier=[item for items in earlier.values() for item in items]
        ),
        sum(r.waiting for r in written),
        max(oldest_written) if oldest_written else None,
    )


# -- the overview ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenPerQueue:
    """One queue on the overview: its open cases (by the case's queue) and its waiting contacts (by the contact's
    queue, as the wallboard counts them: on written channels the backlog)."""

    name: str
    channel: str
    open_cases: int
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class Overview:
    """The start page: the user's open cases and waiting contacts, today's contacts, customers."""

    open_cases: int
    waiting: int
    contacts_today: int
    customers: int
    per_queue: list[OpenPerQueue]


def latest_cases(user: User, limit: int = 15) -> list[Case]:
    """The `limit` newest cases the user may see, newest first.

    The newest few hundred cases of all are read first and checked for the user's sight: the scoped query
    alone sorts every case the user may see (a second on SQLite at 100,000 cases). Only when too few of
    those are visible does the scoped query run in full.
    """
    cases = Case.objects.select_related("customer").order_by("-opened_at", "-pk")
    if sees_every_queue(user):
        return list(cases[:limit])
    candidates = list(Case.objects.order_by("-opened_at", "-pk").values_list("pk", flat=True)[: limit * 20])
    visible = set(visible_cases(user).filter(pk__in=candidates).values_list("pk", flat=True))
    if len(visible) >= limit or len(candidates) < limit * 20:
        return list(cases.filter(pk__in=[pk for pk in candidates if pk in visible][:limit]))
    return list(cases.filter(pk__in=visible_cases(user).values("pk"))[:limit])


def overview(user: User, now: dt.datetime, zone: ZoneInfo) -> Overview:
    """The overview for `user`: open and waiting within the queues and cases the user may see."""
    cases = open_cases(user)
    fields = ("queue_id", "queue__name", "queue__channel")
    opened = {row[:3]: row[3] for row in cases.order_by().values_list(*fields).annotate(n=Count("id"))}
    waiting_rows = waiting_contacts(user).order_by().values_list(*fields).annotate(n=Count("id"))
    waiting = {row[:3]: row[3] for row in waiting_rows}
    per_queue = sorted(
        (
            OpenPerQueue(name or "\u2014", channel or "", opened.get(key, 0), waiting.get(key, 0))
            for key in opened.keys() | waiting.keys()
            for _queue_id, name, channel in [key]
        ),
        key=lambda row: (-row.open_cases, -row.waiting, row.name),
    )
    start, until = _today(now, zone)
    # Every contact row of today counted replies, notes and unqueued contacts too: the overview now counts what
    # "Vandaag" and the wallboard call offered, in the queues the user may see.
    queue_ids = None if sees_every_queue(user) else set(queues_for(user).values_list("pk", flat=True))
    return Overview(
        sum(row.open_cases for row in per_queue),
        sum(row.waiting for row in per_queue),
        offered_today(load_units(start, until, level=CONTACT), queue_ids),
        Customer.objects.filter(merged_into__isnull=True).count(),
        per_queue,
    )


# -- the day per quarter hour ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntervalLevel:
    label: str  # the local start, "HH:MM"
    service_level: float | None


def service_level_per_interval(
    now: dt.datetime, zone: ZoneInfo, today: TodayUnits | None = None
) -> list[IntervalLevel]:
    """Today's service level (phone and chat, each contact once) per quarter hour that had contacts, live; from
    `today` (`today_units(now, zone)`) when given."""
    start, until = _today(now, zone)
    contacts = today.contacts if today is not None and today.at == now else load_units(start, until, level=CONTACT)
    per_interval: dict[str, list[Unit]] = defaultdict(list)
    for unit in contacts:
        if unit.channel in Channel.realtime():
            per_interval[interval_start(unit.queued_at).astimezone(zone).strftime("%H:%M")].append(unit)
    return [
        IntervalLevel(label, metrics.service_level(group, now=now)) for label, group in sorted(per_interval.items())
    ]


def centre_sl_target() -> float | None:
    """The target line of centre-wide service-level charts: the mean of the active phone and chat queues'."""
    return sl_target(list(Queue.objects.filter(is_active=True)))
