"""Day parts: the figures over whole cases and customers (FCR, repeat contacts, the Customer Speed Index, the
written channels' first response and norm) kept as additive parts per local day, so a report reads a few rows
per day instead of every contact and case of its period.

Each day is built with the very functions `metrics` defines the figures with, so a part is its definition
folded. A figure that looks ahead is kept exact at any moment: a case resolved less than 7 days before the
build keeps its resolution moment and whether it is a first-contact resolution so far; when read, it counts
once its 7 days have passed (a later contact that spoils it dirties the case's day first, see `affected_days`).
Unreplied written contacts keep the moment their norm runs out, counted as missed once it has.
The handled legs behind cost to serve are kept per day beside them (`cost_parts`, rebuilt with the same days), and
so is every resolved case's measured FCR (`CaseResolution`: the survey drivers compare it per case).
`rollups.refresh` rebuilds the days that dirty contacts touch; `rebuild` throws a span away and computes it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Min, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from contactpunt.contacts.business_hours import Schedule, business_seconds, due_at
from contactpunt.contacts.models import Channel, Contact, ContactEvent, EventName
from contactpunt.id_filters import ids_in
from contactpunt.kpis import cost_parts, metrics
from contactpunt.kpis.facts import CONTACT, LEG, load_cases, load_units
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.models import CaseResolution, CostPart, DayPart
from contactpunt.kpis.written import load_schedules

INBOUND, RESOLVED, CREATED, WRITTEN = "inbound", "resolved", "created", "written"
#: The groupings the day parts can answer: the others need a moment or an attribute the parts do not keep.
GROUPINGS = (None, "queue", "department", "channel", "team", "site", "agent")
WEEK = dt.timedelta(days=7)
_LISTS = ("fcr_pending", "csi_s", "response_s", "due")
_COUNTED = ("inbound", "identified", "repeats", "fcr_cases", "fcr_solved", "open_cases", "norm_replied", "norm_within")

Key = tuple[dt.date, str, str, int, str, int | None]


class NotInParts(ValueError):
    """The day parts cannot answer this question; compute it from the events."""


def _part(parts: dict[Key, DayPart], key: Key) -> DayPart:
    part = parts.get(key)
    if part is None:
        day, kind, level, queue_id, channel, agent_id = key
        part = parts[key] = DayPart(
            day=day, kind=kind, level=level, queue_id=queue_id, channel=channel, agent_id=agent_id,
            fcr_pending=[], csi_s=[], response_s=[], due=[],
        )  # fmt: skip
    return part


def build(
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    resolutions: list[CaseResolution] | None = None,
    levels: tuple[str, ...] = (CONTACT, LEG),
) -> list[DayPart]:
    """The day parts of the local days `first` to `last` (not saved), as of `now`, the written units at `levels`;
    each case first resolved on them is appended to `resolutions` when given (not saved either)."""
    now = now or timezone.now()
    zone = local_zone()
    start, end = day_bounds(first, last, zone)
    parts: dict[Key, DayPart] = {}

    def day(at: dt.datetime) -> dt.date:
        return at.astimezone(zone).date()

    for i in metrics.load_inbound(start, end):
        p = _part(parts, (day(i.occurred_at), INBOUND, CONTACT, i.queue_id, i.channel, None))
        p.inbound += 1
        if i.customer_id is not None:
            p.identified += 1
            p.repeats += i.is_repeat
    resolved = [
        c
        for c in load_cases(
            Q(events__name=EventName.RESOLVED, events__occurred_at__gte=start, events__occurred_at__lt=end)
        )
        if c.first_resolved_at is not None and start <= c.first_resolved_at < end
    ]
    later = metrics._later_inbound(resolved)
    for c in {c.case_id: c for c in resolved}.values():
        assert c.first_resolved_at is not None
        p = _part(parts, (day(c.first_resolved_at), RESOLVED, CONTACT, c.queue_id, c.channel, c.resolved_by_id))
        solved = metrics.is_first_contact_resolution(c, later)
        if resolutions is not None:
            resolutions.append(CaseResolution(day=day(c.first_resolved_at), case_id=c.case_id, solved=solved))
        if c.first_resolved_at + metrics.FCR_WINDOW <= now:
            p.fcr_cases += 1
            p.fcr_solved += solved
        else:
            p.fcr_pending.append([c.first_resolved_at.timestamp(), int(solved)])
    created = load_cases(Q(contacts__occurred_at__gte=start, contacts__occurred_at__lt=end))
    for c in {c.case_id: c for c in created}.values():
        if not start <= c.opened_at < end:
            continue
        p = _part(parts, (day(c.opened_at), CREATED, CONTACT, c.queue_id, c.channel, c.resolved_by_id))
        p.created += 1
        if c.resolved_at is None:
            p.open_cases += 1
        else:
            p.csi_s.append((c.resolved_at - c.opened_at).total_seconds())
    schedules = load_schedules()
    written = [c for c in Channel.values if c not in Channel.realtime()]
    for level in levels:
        for u in load_units(start, end, level=level, channels=written):
            p = _part(parts, (day(u.queued_at), WRITTEN, level, u.queue_id, u.channel, u.agent_id))
            schedule, norm = schedules.get(u.queue_id, (Schedule.always_open(), None))
            if u.outcome == "answered" and u.outcome_at is not None:
                seconds = business_seconds(schedule, u.queued_at, u.outcome_at)
                p.response_s.append(seconds)
                if norm is not None:
                    p.norm_replied += 1
                    p.norm_within += seconds <= norm
            elif norm is not None:
                with contextlib.suppress(ValueError):  # never open: never overdue
                    p.due.append(due_at(schedule, u.queued_at, norm).timestamp())
    return list(parts.values())


def rebuild(first: dt.date, last: dt.date) -> int:
    """Recompute the day parts of the local days `first` to `last`, a day at a time; returns the rows written."""
    written = 0
    day = first
    while day <= last:
        resolutions: list[CaseResolution] = []
        # Built before the transaction: the write lock is held for the swap only (rollups.rebuild).
        rows = build(day, day, resolutions=resolutions)
        costs = cost_parts.build(day, day, local_zone())
        with transaction.atomic():
            DayPart.objects.filter(day=day).delete()
            DayPart.objects.bulk_create(rows, batch_size=1000)
            CostPart.objects.filter(day=day).delete()
            CostPart.objects.bulk_create(costs, batch_size=1000)
            CaseResolution.objects.filter(day=day).delete()
            CaseResolution.objects.bulk_create(resolutions, batch_size=1000)
        written += len(rows) + len(costs)
        day += dt.timedelta(days=1)
    return written


def rebuild_all() -> int:
    """Throw every day part away and rebuild them over the whole history of contacts."""
    bounds = Contact.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    DayPart.objects.all().delete()
    CostPart.objects.all().delete()
    CaseResolution.objects.all().delete()
    if bounds["first"] is None:
        return 0
    zone = local_zone()
    return rebuild(bounds["first"].astimezone(zone).date(), timezone.now().astimezone(zone).date())


def affected_days(contact_ids: list[int], *, now: dt.datetime | None = None, closing: bool = True) -> set[dt.date]:
    """The local days whose parts the changed contacts may alter: their own day and their cases' days, and, for
    identified customers, the days of their contacts and resolutions within 7 days either side (a contact makes a
    later one a repeat, and spoils the FCR of a case resolved in the 7 days before it). With `closing`, days whose
    cases' 7 days have since passed are included too, so their parts are rebuilt when the window closes (a read
    needs not: it counts a pending case by its moment)."""
    now = now or timezone.now()
    zone = local_zone()
    moments: set[dt.datetime] = set()
    case_ids: set[int] = set()
    customers: set[int] = set()
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    for chunk in range(0, len(contact_ids), 5000):
        for at, case_id, customer_id in Contact.objects.filter(pk__in=contact_ids[chunk : chunk + 5000]).values_list(
            "occurred_at", "case_id", "customer_id"
        ):
            moments.add(at)
            case_ids.add(case_id)
            if customer_id is not None:
                customers.add(customer_id)
                first = at if first is None or at < first else first
                last = at if last is None or at > last else last
    if first is not None and last is not None:
        nearby = Contact.objects.filter(
            customer_id__in=customers, occurred_at__gte=first - WEEK, occurred_at__lte=last + WEEK
        )
        for at, case_id in nearby.values_list("occurred_at", "case_id"):
            moments.add(at)
            case_ids.add(case_id)
    case_list = sorted(case_ids)
    for chunk in range(0, len(case_list), 5000):
        ids = case_list[chunk : chunk + 5000]
        moments.update(Contact.objects.filter(case_id__in=ids).values_list("occurred_at", flat=True))
        moments.update(
            ContactEvent.objects.filter(case_id__in=ids, name=EventName.RESOLVED).values_list("occurred_at", flat=True)
        )
    for chunk in range(0, len(contact_ids), 5000):
        # A leg transferred after midnight enters its queue on the next day (its cost part and written unit).
        moments.update(
            ContactEvent.objects.filter(
                contact_id__in=contact_ids[chunk : chunk + 5000], name=EventName.QUEUED
            ).values_list("occurred_at", flat=True)
        )
    days = {m.astimezone(zone).date() for m in moments}
    if not closing:
        return days
    # Windows that closed: days with cases still pending a week ago.
    closed = (now - WEEK - dt.timedelta(days=1)).astimezone(zone).date()
    days.update(
        DayPart.objects.filter(kind=RESOLVED, day__lte=closed).exclude(fcr_pending=[]).values_list("day", flat=True)
    )
    return days


def mark_cases(case_ids: Iterable[int]) -> list[int]:
    """The contacts of these cases (a resolution or reopening changes the parts of their days)."""
    return list(Contact.objects.filter(ids_in("case_id", case_ids)).values_list("pk", flat=True))


# -- reading ----------------------------------------------------------------------------------


def figures(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None,
    zone: ZoneInfo,
    now: dt.datetime,
    names: metrics.Names | None = None,
    stale: Collection[dt.date] = (),
) -> dict[str, dict[str, Any]]:
    """The figures of `metrics.report` over cases and customers per group of [start, end), from the day parts.

    The `stale` days (those a dirty contact may change, see `affected_days`) are built from the events now, as of
    `now`, and folded in instead of their stored rows: the result is the definition's over the events. Raise
    NotInParts for a grouping they lack, a zone other than the configured one or a period not on local midnights.
    """
    configured = local_zone()
    if by not in GROUPINGS:
        raise NotInParts(f"the day parts have no grouping {by!r}")
    if zone.key != configured.key:
        raise NotInParts("the day parts are kept in the configured time zone")
    first, last = start.astimezone(zone).date(), (end.astimezone(zone) - dt.timedelta(microseconds=1)).date()
    if (start, end) != day_bounds(first, last, zone):
        raise NotInParts("the period does not fall on local midnights")
    names = names or metrics.load_names()
    level = LEG if by in metrics.LEG_GROUPINGS else CONTACT
    now_s = now.timestamp()
    week_s = metrics.FCR_WINDOW.total_seconds()
    sums: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"inbound": 0, "identified": 0, "repeats": 0, "fcr_cases": 0, "fcr_solved": 0, "fcr_young": 0,
                 "fcr_young_solved": 0, "open_cases": 0,
                 "csi": [], "response": [], "norm_replied": 0, "norm_within": 0, "overdue": 0, "units": False}
    )  # fmt: skip
    rows = DayPart.objects.filter(day__gte=first, day__lte=last).filter(~Q(kind=WRITTEN) | Q(level=level)).order_by()
    stale_days = sorted(day for day in set(stale) if first <= day <= last)
    fresh: list[DayPart] = []
    if stale_days:
        rows = rows.exclude(day__in=stale_days)
        for run_first, run_last in _day_runs(stale_days):
            fresh += build(run_first, run_last, now=now, levels=(level,))  # a read needs its own level only
    labels: dict[tuple[str, int, str, int | None], str | None] = {}

    def label_of(kind: str, queue_id: int, channel: str, agent: int | None) -> str | None:
        key = (kind, queue_id, channel, agent)
        if key not in labels:
            team = names.agent_teams.get(agent) if agent is not None and kind != INBOUND else None
            labels[key] = metrics.group_key(by, names, zone, queue_id=queue_id, channel=channel, team_id=team,
                                            agent_id=agent, at=None)  # fmt: skip
        return labels[key]

    # The counts are summed by the database; only the lists (medians, moments still to come) are read.
    totals = rows.values("kind", "queue_id", "channel", "agent_id").annotate(**{name: Sum(name) for name in _COUNTED})
    row: dict[str, Any]
    counted = [{"kind": p.kind, "queue_id": p.queue_id, "channel": p.channel, "agent_id": p.agent_id,
                **{name: getattr(p, name) for name in _COUNTED}} for p in fresh]  # fmt: skip
    for row in [*cast(Iterable[dict[str, Any]], totals), *counted]:
        label = label_of(row["kind"], row["queue_id"], row["channel"], row["agent_id"])
        if label is None:
            continue
        s = sums[label]
        for name in _COUNTED:
            s[name] += row[name]
        s["units"] = s["units"] or row["kind"] == WRITTEN
    # The lists as text in one query, decoded only where a row holds one (a row fills one or two of the four):
    # decoding the empty ones cost a week's read more than all its sums.
    stored = rows.exclude(csi_s=[], response_s=[], fcr_pending=[], due=[]).values_list(
        "kind", "queue_id", "channel", "agent_id", *(Cast(field, TextField()) for field in _LISTS)
    )
    built = [(p.kind, p.queue_id, p.channel, p.agent_id, *(getattr(p, field) for field in _LISTS)) for p in fresh]
    for kind, queue_id, channel, agent, *lists in itertools.chain(stored.iterator(chunk_size=2000), built):
        label = label_of(kind, queue_id, channel, agent)
        if label is None:
            continue
        s = sums[label]
        pending, csi_s, response_s, due = (_decoded(values) for values in lists)
        for at, solved in pending:
            if at + week_s <= now_s:
                s["fcr_cases"] += 1
                s["fcr_solved"] += solved
            else:  # its 7 days still run: only in the figure so far
                s["fcr_young"] += 1
                s["fcr_young_solved"] += solved
        s["csi"] += csi_s
        s["response"] += response_s
        s["overdue"] += sum(1 for moment in due if moment <= now_s)
    ratio = metrics.ratio
    result = {}
    for label, s in sums.items():
        csi = sorted(s["csi"])
        result[label] = {
            "fcr": ratio(s["fcr_solved"], s["fcr_cases"]),
            "fcr_cases": s["fcr_cases"],
            "fcr_so_far": ratio(s["fcr_solved"] + s["fcr_young_solved"], s["fcr_cases"] + s["fcr_young"]),
            "repeat_rate": ratio(s["repeats"], s["identified"]),
            "identified_share": ratio(s["identified"], s["inbound"]),
            "csi_median_s": _median(csi),
            "csi_p90_s": metrics.percentile(csi, 0.9),
            "csi_open_cases": s["open_cases"],
            "first_response_median_s": _median(sorted(s["response"])),
            # Counted: replied with a norm + unreplied past it (+ the live earlier messages, added by the report).
            "_norm": (s["norm_within"], s["norm_replied"] + s["overdue"]),
        }
    return result


def _decoded(values: str | list[Any]) -> list[Any]:
    """A list field read as text (stored) or as a list (built now)."""
    if isinstance(values, list):
        return values
    return [] if values == "[]" else cast(list[Any], json.loads(values))


def _day_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days (first, last): each run is built from the events in one pass."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _median(ordered: list[float]) -> float | None:
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
