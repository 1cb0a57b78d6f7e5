"""The agent workspace's reads: which queues and cases a user may see, and the inbox sorted by due time.

Who sees what, in one place:

- team leads, managers, admins and the read-only viewer see every queue;
- an agent sees the queues whose required skills they all have (a queue that asks no skill is everyone's)
  and every case assigned to them;
- `get_case_for_user` answers 404 for a case the user may not see (no existence leak) and 403 when
  `write=True` and the user is read-only.

The inbox lists open cases. A case's *due time* runs from its oldest inbound contact still waiting
(queued or in progress): on written channels the queue's response norm in business hours, on phone and
chat the queue's service-level threshold. Within one queue the due time rises with the waiting time, so
the inbox takes the oldest rows per queue in SQL (a window function) and merges them by due time in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case as When_,
)
from django.db.models import (
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.business_hours import Schedule, due_at, schedule_for
from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactStatus,
    Direction,
    OpeningHours,
    Queue,
    WorkSession,
)
from contactpunt.people.models import User

#: An open work session older than this is a tab that was closed, not someone still working.
STALE_SESSION = dt.timedelta(hours=2)
#: A case is at risk when its due time lies within this share of its norm from now.
AT_RISK_SHARE = 0.25
INBOX_LIMIT = 50


class SlaRisk(StrEnum):
    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(
            {
                "overdue": _("overdue"),
                "at_risk": _("at risk"),
                "on_track": _("on track"),
                "none": _("no norm"),
            }[self.value]
        )


# -- permissions ---------------------------------------------------------------------------------


def sees_every_queue(user: User) -> bool:
    """True for the roles that look across all queues (team lead and up, and the read-only viewer)."""
    return user.can_manage or user.is_read_only


def skilled_queues(user: User) -> QuerySet[Queue]:
    """The active queues whose required skills the user all has (a queue without skills is everyone's)."""
    missing = Queue.skills.through.objects.exclude(skill_id__in=user.skills.values("pk")).values("queue_id")
    return Queue.objects.filter(is_active=True).exclude(pk__in=missing)


def queues_for(user: User) -> QuerySet[Queue]:
    """The queues whose cases the user may see."""
    return Queue.objects.all() if sees_every_queue(user) else skilled_queues(user)


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case the user may see (merged cases included: they lead to their target)."""
    if sees_every_queue(user):
        return Case.objects.all()
    return Case.objects.filter(Q(queue__in=skilled_queues(user)) | Q(assignee=user))


def get_case_for_user(user: User, case_id: object, *, write: bool = False) -> Case:
    """Return the case `case_id` when the user may see it.

    Raise Http404 when the id is malformed, the case does not exist or the user may not see it, and
    PermissionDenied when `write` is asked by a read-only user (after the 404 check, so the viewer
    learns nothing new).
    """
    try:
        pk = int(str(case_id))
    except ValueError:
        raise Http404("no such case") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404("no such case")
    case = (
        visible_cases(user)
        .select_related("queue", "customer", "customer__account", "assignee", "reason")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("no such case")
    if write and user.is_read_only:
        raise PermissionDenied("read-only")
    return case


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
            if queue.channel not in Channel.realtime() and queue.response_norm_s:
                clock.schedules[queue.pk] = schedule_for(queue.calendar)
        return clock

    @staticmethod
    def norm_seconds(queue: Queue) -> int | None:
        """The queue's norm: the service-level threshold on phone and chat, the response norm otherwise."""
        if queue.channel in Channel.realtime():
            return queue.sl_threshold_s
        return queue.response_norm_s or None

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
    counts: dict[str, dict[str, int]]
    queues: list[Queue]


def _waiting_since() -> Subquery:
    waiting = Contact.objects.filter(
        case=OuterRef("pk"),
        direction=Direction.INBOUND,
        status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS],
    ).order_by("occurred_at")
    return Subquery(waiting.values("occurred_at")[:1])


def _risk_expression(queues: list[Queue], clock: NormClock) -> When_:
    overdue: list[When] = []
    at_risk: list[When] = []
    with_norm: list[int] = []
    for queue in queues:
        cut = clock.cutoffs(queue)
        if cut is None:
            continue
        with_norm.append(queue.pk)
        overdue.append(When(queue_id=queue.pk, waiting_since__lte=cut[0], then=Value(SlaRisk.OVERDUE.value)))
        at_risk.append(When(queue_id=queue.pk, waiting_since__lte=cut[1], then=Value(SlaRisk.AT_RISK.value)))
    return When_(
        When(waiting_since__isnull=True, then=Value(SlaRisk.NONE.value)),
        *overdue,
        *at_risk,
        When(queue_id__in=with_norm, then=Value(SlaRisk.ON_TRACK.value)),
        default=Value(SlaRisk.NONE.value),
        output_field=CharField(),
    )


def _apply(qs: QuerySet[Case], filters: InboxFilters, user: User, *, skip: str) -> QuerySet[Case]:
    if filters.queue is not None and skip != "queue":
        qs = qs.filter(queue_id=filters.queue)
    if filters.channel and skip != "channel":
        qs = qs.filter(queue__channel=filters.channel)
    if filters.status and skip != "status":
        qs = qs.filter(status=filters.status)
    if filters.assignee and skip != "assignee":
        qs = {
            Assignee.ME: qs.filter(assignee=user),
            Assignee.UNASSIGNED: qs.filter(assignee__isnull=True),
            Assignee.OTHERS: qs.filter(assignee__isnull=False).exclude(assignee=user),
        }[Assignee(filters.assignee)]
    if filters.risk and skip != "risk":
        qs = qs.filter(Q(("sla_risk", filters.risk)))
    return qs


_FACETS = {"queue": "queue_id", "channel": "queue__channel", "status": "status", "assignee": "who", "risk": "sla_risk"}


def _facet_counts(groups: Iterable[Mapping[str, Any]], filters: InboxFilters) -> tuple[dict[str, dict[str, int]], int]:
    chosen = {
        "queue": str(filters.queue) if filters.queue is not None else "",
        "channel": filters.channel,
        "status": filters.status,
        "assignee": filters.assignee,
        "risk": filters.risk,
    }
    counts: dict[str, dict[str, int]] = {facet: {} for facet in _FACETS}
    total = 0
    for group in groups:
        values = {facet: str(group[column]) for facet, column in _FACETS.items()}
        misses = [facet for facet, value in chosen.items() if value and values[facet] != value]
        if not misses:
            total += group["n"]
        for facet in _FACETS:
            if not misses or misses == [facet]:
                counts[facet][values[facet]] = counts[facet].get(values[facet], 0) + group["n"]
    return counts, total


def inbox_queues(user: User) -> list[Queue]:
    """The user's queues with their calendars loaded (one or two queries)."""
    return list(
        queues_for(user)
        .select_related("calendar")
        .prefetch_related(Prefetch("calendar__opening_hours", queryset=OpeningHours.objects.all()))
        .order_by("name")
    )


def open_cases(user: User, queues: list[Queue], clock: NormClock) -> QuerySet[Case]:
    """The user's open cases, annotated with `waiting_since` and `sla_risk`."""
    base = visible_cases(user).filter(status__in=[CaseStatus.OPEN, CaseStatus.PENDING])
    return base.annotate(waiting_since=_waiting_since()).annotate(sla_risk=_risk_expression(queues, clock))


def inbox(
    user: User,
    filters: InboxFilters,
    *,
    now: dt.datetime | None = None,
    limit: int = INBOX_LIMIT,
    only_queues: Iterable[int] | None = None,
) -> Inbox:
    """The user's open cases under `filters`, the `limit` most urgent first (by due time, then waiting time).

    `counts` holds, per filter dimension, how many cases each choice would show with the other filters
    kept. Four or five queries, whatever the number of cases or queues.
    """
    clock_now = now or timezone.now()
    queues = inbox_queues(user)
    clock = NormClock.for_queues(queues, clock_now)
    by_id = {q.pk: q for q in queues}
    cases = open_cases(user, queues, clock)
    if only_queues is not None:
        cases = cases.filter(queue_id__in=list(only_queues))
    # One GROUP BY over every facet; the count of each choice (with the other filters kept) is summed from it.
    groups = list(
        cases.annotate(
            who=When_(
                When(assignee__isnull=True, then=Value(Assignee.UNASSIGNED.value)),
                When(assignee=user, then=Value(Assignee.ME.value)),
                default=Value(Assignee.OTHERS.value),
                output_field=CharField(),
            )
        )
        .values("queue_id", "queue__channel", "status", "who", "sla_risk")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts, total = _facet_counts(groups, filters)
    filtered = _apply(cases, filters, user, skip="")
    # Within a queue the due time rises with the waiting time, so the `limit` most urgent overall are among the
    # `limit` longest waiting of each queue: rank those in SQL (ids and times only), merge by due time here.
    candidates = filtered.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("queue_id")],
            order_by=[F("waiting_since").asc(nulls_last=True), F("id").asc()],
        )
    ).filter(rank__lte=limit)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    ranked: list[tuple[dt.datetime, dt.datetime, int, dt.datetime | None, dt.datetime | None]] = []
    for pk, queue_id, waiting_since in candidates.values_list("pk", "queue_id", "waiting_since"):
        queue = by_id.get(queue_id)
        due = clock.due(queue, waiting_since) if queue is not None else None
        ranked.append((due or far, waiting_since or far, pk, due, waiting_since))
    ranked.sort()
    chosen = ranked[:limit]
    working = WorkSession.objects.filter(
        case=OuterRef("pk"), ended_at__isnull=True, started_at__gte=clock_now - STALE_SESSION
    ).exclude(agent=user)
    loaded = Case.objects.filter(pk__in=[row[2] for row in chosen]).select_related("customer", "assignee", "queue")
    loaded = loaded.annotate(working=Subquery(working.order_by("-started_at").values("agent__username")[:1]))
    by_pk = {case.pk: case for case in loaded}
    rows = []
    for _due_key, _waiting_key, pk, due, waiting_since in chosen:
        case = by_pk[pk]
        queue = by_id.get(case.queue_id, case.queue)
        rows.append(InboxRow(case, waiting_since, due, clock.risk(due, queue), case.working or ""))
    return Inbox(rows, total, counts, queues)
