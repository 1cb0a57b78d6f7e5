"""The agent workspace's reads: which queues and cases a user may see, and the inbox sorted by due time.

Who sees what is decided in `contactpunt.access` (queues, cases, 404 and 403); this module only reads
within that scope.

Two counts every screen shares (the overview, the inbox, the KPI "today" page and the wallboard):

- *open* (`open_cases`): cases open or waiting for the customer;
- *waiting* (`waiting_contacts`): inbound contacts of open cases that still await an agent: on phone and
  chat still in the queue (not yet answered), on written channels still without a reply (the backlog).

The inbox lists open cases. A case's *due time* runs from its oldest inbound contact still waiting
(`waiting_contacts`): on written channels the queue's response norm in business hours, on phone and
chat the queue's service-level threshold. Within one queue the due time rises with the waiting time, so
the inbox takes the oldest rows per queue in SQL (a window function) and merges them by due time in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import (
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from contactpunt.access import case_scope, queues_for, visible_cases
from contactpunt.contacts.business_hours import Schedule, due_at, schedule_for
from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Channel,
    Contact,
    Direction,
    Message,
    OpeningHours,
    Queue,
    WorkSession,
    waiting_condition,
)
from contactpunt.contacts.models.cases import label_customers
from contactpunt.people.models import User

#: A case is at risk when its due time lies within this share of its norm from now.
AT_RISK_SHARE = 0.25
INBOX_LIMIT = 50


class SlaRisk(StrEnum):
    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"
    #: Open, but nothing of the customer waits for an agent (answered; the next move is the customer's).
    ANSWERED = "answered"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(
            {
                "overdue": _("overdue"),
                "at_risk": _("at risk"),
                "on_track": _("on track"),
                "answered": _("nothing waiting"),
                "none": _("no norm"),
            }[self.value]
        )


# -- open and waiting: one definition each --------------------------------------------------------

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.PENDING)


def open_cases(user: User | None = None) -> QuerySet[Case]:
    """Open = cases open or waiting for the customer; only those the user may see when `user` is given."""
    cases = Case.objects.all() if user is None else visible_cases(user)
    return cases.filter(status__in=OPEN_STATUSES)


def waiting_contacts(user: User | None = None) -> QuerySet[Contact]:
    """Waiting = inbound contacts of open cases that still await an agent: on phone and chat still queued
    (not answered yet), on written channels without a reply yet (queued or opened by an agent).

    Only contacts of cases the user may see when `user` is given. A written contact that waits is in the
    backlog; its queue's response norm says when it is overdue.
    """
    contacts = Contact.objects.filter(case__status__in=OPEN_STATUSES).filter(waiting_condition())
    return contacts if user is None else contacts.filter(case_scope(user, "case__"))


# -- norms ---------------------------------------------------------------------------------------


def norm_start_before(schedule: Schedule, end: dt.datetime, seconds: float) -> dt.datetime:
    """The latest start whose norm of `seconds` opening seconds has run out by `end` (due_at in reverse).

    Every start at or before the returned moment is due at or before `end`; every later one is due after it.
    Raise ValueError when the schedule has no opening time in the three years before `end`.
    """
    remaining = seconds
    day = end.astimezone(schedule.time_zone).date()
    for _day in range(3 * 366):
        for opens, closes in reversed(schedule.open_intervals(day)):
            finish = min(closes, end)
            available = (finish - opens).total_seconds()
            if available <= 0:
                continue
            if remaining <= available:
                return (finish - dt.timedelta(seconds=remaining)).astimezone(dt.UTC)
            remaining -= available
        day -= dt.timedelta(days=1)
    raise ValueError("the schedule has no opening time to meet this norm")


@dataclass(slots=True)
class NormClock:
    """Due times and risk cut-offs for a set of queues at one moment (`now`)."""

    now: dt.datetime
    schedules: dict[int, Schedule] = field(default_factory=dict)

    @classmethod
    def for_queues(cls, queues: Iterable[Queue], now: dt.datetime) -> NormClock:
        clock = cls(now)
        for queue in queues:
            if queue.effective_response_norm_s:
                clock.schedules[queue.pk] = schedule_for(queue.calendar)
        return clock

    @staticmethod
    def norm_seconds(queue: Queue) -> int | None:
        """The queue's norm: the service-level threshold on phone and chat, the response norm (its own or its
        channel's default) otherwise."""
        if queue.channel in Channel.realtime():
            return queue.sl_threshold_s
        return queue.effective_response_norm_s

    def due(self, queue: Queue, waiting_since: dt.datetime | None) -> dt.datetime | None:
        """When the waiting contact must be answered; None when nothing waits or the queue has no norm."""
        norm = self.norm_seconds(queue)
        if waiting_since is None or norm is None:
            return None
        if queue.channel in Channel.realtime():
            return waiting_since + dt.timedelta(seconds=norm)
        try:
            return due_at(self.schedules[queue.pk], waiting_since, norm)
        except (KeyError, ValueError):
            return None

    def cutoffs(self, queue: Queue) -> tuple[dt.datetime, dt.datetime] | None:
        """(overdue, at risk): contacts waiting since at or before these moments are overdue or at risk."""
        norm = self.norm_seconds(queue)
        if norm is None:
            return None
        horizon = dt.timedelta(seconds=norm * AT_RISK_SHARE)
        if queue.channel in Channel.realtime():
            return (self.now - dt.timedelta(seconds=norm), self.now + horizon - dt.timedelta(seconds=norm))
        schedule = self.schedules.get(queue.pk)
        if schedule is None:
            return None
        try:
            return (norm_start_before(schedule, self.now, norm), norm_start_before(schedule, self.now + horizon, norm))
        except ValueError:
            return None

    def risk(self, due: dt.datetime | None, queue: Queue) -> SlaRisk:
        """The SLA risk of a case due at `due` in `queue`."""
        norm = self.norm_seconds(queue)
        if due is None or norm is None:
            return SlaRisk.NONE
        if due <= self.now:
            return SlaRisk.OVERDUE
        if due <= self.now + dt.timedelta(seconds=norm * AT_RISK_SHARE):
            return SlaRisk.AT_RISK
        return SlaRisk.ON_TRACK


# -- the inbox -----------------------------------------------------------------------------------


class Assignee(StrEnum):
    ME = "me"
    UNASSIGNED = "unassigned"
    OTHERS = "others"


@dataclass(frozen=True, slots=True)
class InboxFilters:
    """What the agent narrowed the inbox to; empty strings and None mean "all"."""

    queue: int | None = None
    channel: str = ""
    status: str = ""
    assignee: str = ""
    risk: str = ""

    @classmethod
    def parse(cls, data: dict[str, str]) -> InboxFilters:
        """Read filters from query parameters, ignoring values that are not valid choices."""
        queue_raw = data.get("queue", "")
        return cls(
            queue=int(queue_raw) if queue_raw.isdigit() and len(queue_raw) < 18 else None,
            channel=data.get("channel", "") if data.get("channel", "") in Channel.values else "",
            status=data.get("status", "") if data.get("status", "") in (CaseStatus.OPEN, CaseStatus.PENDING) else "",
            assignee=data.get("assignee", "") if data.get("assignee", "") in Assignee.__members__.values() else "",
            risk=data.get("risk", "") if data.get("risk", "") in SlaRisk.__members__.values() else "",
        )


@dataclass(frozen=True, slots=True)
class InboxRow:
    case: Case
    waiting_since: dt.datetime | None
    due: dt.datetime | None
    risk: SlaRisk
    working: str  # the username of someone else with the case open, or ""


@dataclass(frozen=True, slots=True)
class Inbox:
    rows: list[InboxRow]
    total: int
    waiting: int  # contacts still waiting (`waiting_contacts`) in the cases the filters show
    counts: dict[str, dict[str, int]]
    queues: list[Queue]


def inbox_queues(user: User) -> list[Queue]:
    """The user's queues with their calendars loaded (one or two queries)."""
    return list(
        queues_for(user)
        .select_related("calendar")
        .prefetch_related(Prefetch("calendar__opening_hours", queryset=OpeningHours.objects.all()))
        .order_by("name")
    )


_FACETS = ("queue", "channel", "status", "who", "risk")
_Sql = tuple[str, list[Any]]
# (queue, channel, status, who, risk) with the number of open cases and of contacts waiting in them
_Group = tuple[tuple[str, str, str, str, str], int, int]
# an open case, its queue and since when a contact in it waits (None: nothing waits)
_Candidate = tuple[int, int, "dt.datetime | None"]


class _OpenCaseSql:
    """The SQL the inbox counts and ranks with: the user's open cases (their access scope as `visible_cases`
    writes it), each with its oldest waiting contact and how many wait, and its facets as SQL expressions.
    PostgreSQL (or SQLite) counts and ranks the open cases, so the page costs the same few rows in Python at
    100 open cases or 100,000 (an API integration delivers faster than agents answer)."""

    def __init__(self, user: User, clock: NormClock, by_id: dict[int, Queue], only_queues: list[int] | None) -> None:
        cases = open_cases(user).order_by()
        if only_queues is not None:
            cases = cases.filter(queue_id__in=only_queues)
        # What the inbox counts and ranks is on the case itself (kept by `services.waiting`), and the open cases
        # have their own partial index holding it: no contact is read, however long the history.
        sql, source_params = (
            cases.values(c_pk=F("pk"), c_queue=F("queue_id"), c_channel=F("queue__channel"))
            .annotate(c_status=F("status"), c_assignee=F("assignee_id"))
            .annotate(w_first=F("waiting_since"), w_n=F("waiting_count"))
            .query.sql_with_params()
        )
        self.source: _Sql = (sql, list(source_params))
        self.who: _Sql = (
            "CASE WHEN c.c_assignee IS NULL THEN 'unassigned' WHEN c.c_assignee = %s THEN 'me' ELSE 'others' END",
            [user.pk],
        )
        whens: list[str] = []
        params: list[Any] = []
        with_norm: list[int] = []
        adapt = connection.ops.adapt_datetimefield_value
        for queue_id, queue in by_id.items():
            cut = clock.cutoffs(queue)
            if cut is None:
                continue
            with_norm.append(queue_id)
            whens.append("WHEN c.c_queue = %s AND c.w_first <= %s THEN 'overdue'")
            whens.append("WHEN c.c_queue = %s AND c.w_first <= %s THEN 'at_risk'")
            params += [queue_id, adapt(cut[0]), queue_id, adapt(cut[1])]
        on_track = ""
        if with_norm:
            on_track = f"WHEN c.c_queue IN ({', '.join(['%s'] * len(with_norm))}) THEN 'on_track'"
            params += with_norm
        self.risk: _Sql = (
            f"CASE WHEN c.w_first IS NULL THEN 'answered' {' '.join(whens)} {on_track} ELSE 'none' END",
            params,
        )

    def read(self, chosen: dict[str, str], limit: int) -> tuple[list[_Group], list[_Candidate]]:
        """In one statement, over the open cases read once: every combination of facets with its number of cases
        and of waiting contacts; and (case, queue, waiting since) of the `limit` longest waiting cases of each
        queue among those the filters in `chosen` show (cases with nothing waiting last, then by id)."""
        conditions: list[str] = []
        condition_params: list[Any] = []
        for facet, column in zip(_FACETS, ("c_queue", "c_channel", "c_status", "who", "risk"), strict=True):
            if chosen[facet]:
                conditions.append(f"f.{column} = %s")
                condition_params.append(int(chosen[facet]) if facet == "queue" else chosen[facet])
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (
            f"WITH c AS ({self.source[0]}), f AS (SELECT c.c_pk, c.c_queue, c.c_channel, c.c_status, "  # noqa: S608 - ORM-made SQL, values as parameters
            f"{self.who[0]} AS who, {self.risk[0]} AS risk, c.w_first, c.w_n FROM c) "
            "SELECT 0, c_queue, c_channel, c_status, who, risk, COUNT(*), SUM(w_n), NULL FROM f "
            "GROUP BY c_queue, c_channel, c_status, who, risk "
            "UNION ALL "
            "SELECT 1, c_queue, NULL, NULL, NULL, NULL, c_pk, 0, w_first FROM (SELECT f.c_pk, f.c_queue, f.w_first, "
            "ROW_NUMBER() OVER (PARTITION BY f.c_queue ORDER BY CASE WHEN f.w_first IS NULL THEN 1 ELSE 0 END, "
            f"f.w_first, f.c_pk) AS position FROM f {where}) r WHERE position <= %s"
        )
        params = [*self.source[1], *self.who[1], *self.risk[1], *condition_params, limit]
        groups: list[_Group] = []
        candidates: list[_Candidate] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for kind, queue_id, channel, status, who, risk, number, waiting, first in cursor:
                if kind == 0:
                    groups.append(((str(queue_id), channel, status, who, risk), int(number), int(waiting or 0)))
                else:
                    candidates.append((int(number), int(queue_id), _as_datetime(first)))
        return groups, candidates


def _as_datetime(value: dt.datetime | str | None) -> dt.datetime | None:
    """A timestamp read by raw SQL: aware from PostgreSQL, UTC text from SQLite."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def inbox(
    user: User,
    filters: InboxFilters,
    *,
    now: dt.datetime | None = None,
    limit: int = INBOX_LIMIT,
    only_queues: Iterable[int] | None = None,
) -> Inbox:
    """The user's open cases under `filters`, the `limit` most urgent first (by due time, then waiting time).

    `counts` holds, per filter dimension (queue, channel, status, assignee, risk), how many cases each choice
    would show with the other filters kept. Four queries whatever the number of cases or queues: the queues
    (two); the open cases, read once, counted by every combination of facets (a GROUP BY) beside the longest
    waiting of each queue under the filters (a window function); and the rows shown.
    """
    clock_now = now or timezone.now()
    queues = inbox_queues(user)
    clock = NormClock.for_queues(queues, clock_now)
    by_id = {q.pk: q for q in queues}
    source = _OpenCaseSql(user, clock, by_id, list(only_queues) if only_queues is not None else None)
    chosen = {
        "queue": str(filters.queue) if filters.queue is not None else "",
        "channel": filters.channel,
        "status": filters.status,
        "who": filters.assignee,
        "risk": filters.risk,
    }
    counts: dict[str, dict[str, int]] = {facet: {} for facet in _FACETS}
    wanted = [(index, chosen[facet]) for index, facet in enumerate(_FACETS) if chosen[facet]]
    total = waiting = 0
    groups, candidates = source.read(chosen, limit)
    for values, n, waiting_n in groups:
        misses = [index for index, value in wanted if values[index] != value]
        if not misses:
            total += n
            waiting += waiting_n
            for index, facet in enumerate(_FACETS):
                tally = counts[facet]
                tally[values[index]] = tally.get(values[index], 0) + n
        elif len(misses) == 1:
            facet = _FACETS[misses[0]]
            counts[facet][values[misses[0]]] = counts[facet].get(values[misses[0]], 0) + n
    counts["assignee"] = counts.pop("who")
    # Within a queue the due time rises with the waiting time, so the `limit` most urgent overall are among the
    # `limit` longest waiting of each queue: only those get a due time (business hours cost a little each).
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    ranked: list[tuple[dt.datetime, dt.datetime, int, dt.datetime | None, dt.datetime | None]] = []
    for pk, queue_id, waiting_since in candidates:
        queue = by_id.get(queue_id)
        due = clock.due(queue, waiting_since) if queue is not None else None
        ranked.append((due or far, waiting_since or far, pk, due, waiting_since))
    ranked.sort()
    top = ranked[:limit]
    working = WorkSession.objects.filter(WorkSession.present(clock_now), case=OuterRef("pk")).exclude(agent=user)
    loaded = Case.objects.filter(pk__in=[row[2] for row in top]).select_related("customer", "assignee", "queue")
    latest_text = Message.objects.filter(case=OuterRef("pk"), direction=Direction.INBOUND, is_internal=False)
    loaded = loaded.annotate(
        working=Subquery(working.order_by("-started_at").values("agent__username")[:1]),
        working_name=Subquery(
            working.order_by("-started_at")
            .annotate(name=Concat("agent__first_name", Value(" "), "agent__last_name"))
            .values("name")[:1]
        ),
        preview=Substr(Subquery(latest_text.order_by("-created_at", "-id").values("text")[:1]), 1, 120),
    )
    by_pk = {case.pk: case for case in loaded}
    label_customers(by_pk.values())
    rows = []
    for _due_key, _waiting_key, pk, due, waiting_since in top:
        case = by_pk[pk]
        queue = by_id.get(case.queue_id, case.queue)
        risk = SlaRisk.ANSWERED if waiting_since is None else clock.risk(due, queue)
        rows.append(InboxRow(case, waiting_since, due, risk, (case.working_name or "").strip() or case.working or ""))
    return Inbox(rows, total, waiting, counts, queues)
