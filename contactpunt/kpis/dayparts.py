"""Day parts: the figures over whole cases and customers (FCR, repeat contacts, the Customer Speed Index, the
written channels' first response and norm) kept as additive parts per local day, so a report reads a few rows
per day instead of every contact and case of its period.

The days are computed set-based (`dayparts_sql`: a few `SELECT … GROUP BY` over the event log, held equal to the
definitions in `metrics` by the tests), a span of days per statement. A figure that looks ahead is kept exact at any
moment: a case resolved less than 7 days before the build keeps its resolution moment and whether it is a
first-contact resolution so far; when read, it counts once its 7 days have passed (a later contact that spoils it
dirties the case's day first, see `affected_days`). Unreplied written contacts keep the moment their norm runs out
while it has not, and are counted as missed once it has. The times behind a median (CSI, first response) are kept as
histograms on the duration grid, so a day's rows stay small however many cases it has.
The handled legs behind cost to serve are kept per day beside them (`cost_parts`, rebuilt with the same days), and
so is every resolved case's measured FCR (`CaseResolution`: the survey drivers compare it per case).
`rollups.refresh` rebuilds the days that dirty contacts touch; `rebuild` throws a span away and computes it again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from contactpunt.contacts.models import Channel, Contact, ContactEvent, Direction, EventName
from contactpunt.id_filters import ids_in
from contactpunt.kpis import dayparts_sql, metrics, rollups_sql
from contactpunt.kpis.facts import CONTACT, LEG
from contactpunt.kpis.intervals import day_bounds, day_spans, local_days
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.metrics.definitions import median_of, percentile_of
from contactpunt.kpis.models import CaseResolution, CostPart, DayPart

INBOUND, RESOLVED, CREATED, WRITTEN, BACKLOG = "inbound", "resolved", "created", "written", "backlog"
#: The groupings the day parts can answer: the others need a moment or an attribute the parts do not keep.
GROUPINGS = (None, "queue", "department", "channel", "team", "site", "agent")
#: The groupings that read the rows per agent (the others read the rows summed over the agents).
PER_AGENT = ("team", "site", "agent")
WEEK = dt.timedelta(days=7)
#: Days per set of statements of a rebuild: each statement reads the log of its span once.
REBUILD_DAYS = 31
_LISTS = ("fcr_pending", "csi_h", "response_h", "due")
_COUNTED = ("inbound", "identified", "repeats", "fcr_cases", "fcr_solved", "open_cases", "norm_replied", "norm_within",
            "overdue")  # fmt: skip
#: The counts of a "row" of each kind, in the statement's order.
_ROW_FIELDS = {
    INBOUND: ("inbound", "identified", "repeats"),
    RESOLVED: ("fcr_cases", "fcr_solved"),
    CREATED: ("created", "open_cases"),
    WRITTEN: ("norm_replied", "norm_within", "overdue"),
    BACKLOG: ("backlog",),
}


class NotInParts(ValueError):
    """The day parts cannot answer this question; compute it from the events."""


@dataclass
class Built:
    """The day parts of a span (not saved: their values, see `_assemble`), its cost parts and its cases' resolutions
    when asked for."""

    parts: list[SimpleNamespace]
    costs: list[CostPart] = field(default_factory=list)
    resolutions: list[CaseResolution] = field(default_factory=list)


#: A day part's fields and their defaults: a part is built as plain values, a model instance only when it is saved
#: (a read that builds today's parts made ~400 model instances, half its time).
_DEFAULTS = {f.attname: f.get_default() for f in DayPart._meta.concrete_fields if not f.primary_key}


def _assemble(found: Iterable[dayparts_sql.Row]) -> list[SimpleNamespace]:
    parts: dict[tuple[Any, ...], SimpleNamespace] = {}
    for what, day, kind, level, per_agent, queue_id, channel, agent_id, a, b, c, _d, value in found:
        key = (dayparts_sql.as_date(day), kind, level, bool(per_agent), queue_id, channel, agent_id)
        part = parts.get(key)
        if part is None:
            part = parts[key] = SimpleNamespace(**{**_DEFAULTS, "day": key[0], "kind": kind, "level": level,
                                                   "per_agent": key[3], "queue_id": queue_id, "channel": channel,
                                                   "agent_id": agent_id, "fcr_pending": [], "csi_h": {},
                                                   "response_h": {}, "due": []})  # fmt: skip
        if what == "row":
            for name, number in zip(_ROW_FIELDS[kind], (a, b, c), strict=False):
                setattr(part, name, int(number or 0))
        elif what == "backlog":
            part.backlog, part.oldest_us = int(a), None if b is None else int(b)
        elif what == "hist":
            histogram = {str(k): int(v) for k, v in value.items()}
            if kind == CREATED:
                part.csi_h = histogram
            else:
                part.response_h = histogram
        elif what == "pending":
            part.fcr_pending = sorted([int(at), int(solved)] for at, solved in value)
        elif what == "due":
            part.due = sorted(int(at) for at in value)
    return list(parts.values())


def build(
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    costs: bool = False,
    resolutions: bool = False,
    only: tuple[str, ...] = ("inbound", "cases", "written", "backlog"),
    until: dt.datetime | None = None,
) -> Built:
    """The day parts of the local days `first` to `last` (not saved), as of `now`, computed set-based; with `costs`
    their cost parts, with `resolutions` each case first resolved on them. With `until`, what happens from then on
    is left out (the last day in part: a report that ends before its midnight)."""
    now = now or timezone.now()
    zone = local_zone()
    values = dayparts_sql.params(first, last, zone, now, until)
    sqls = dayparts_sql.statements(first, last, zone, now, wanted=(*only, *(["costs"] if costs else [])))
    days = (last - first).days + 1
    found: list[dayparts_sql.Row] = []
    for name in only:
        found += dayparts_sql.run(sqls[name], values, days=days)
    built = Built(_assemble(r for r in found if r[0] != "case"))
    if resolutions:
        built.resolutions = [CaseResolution(day=dayparts_sql.as_date(r[1]), case_id=r[8], solved=bool(r[9]))
                             for r in found if r[0] == "case"]  # fmt: skip
    if costs:
        built.costs = _costs(dayparts_sql.run(sqls["costs"], values, days=days))
    return built


def _costs(found: Iterable[dayparts_sql.Row]) -> list[CostPart]:
    return [
        CostPart(
            day=dayparts_sql.as_date(day),
            agent_id=agent,
            queue_id=queue,
            account_id=account,
            product_type_id=product,
            reason_id=reason,
            legs=int(legs),
            contacts=int(contacts),
            handle_s=float(handle_s or 0.0),
        )
        for _what, day, agent, queue, account, product, reason, legs, contacts, handle_s in found
    ]


def rebuild(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> int:
    """Recompute the day parts, cost parts and case resolutions of the local days `first` to `last`, REBUILD_DAYS at
    a time; returns the day and cost part rows written."""
    now = now or timezone.now()
    written = 0
    for span_first, span_last in day_spans(first, last, REBUILD_DAYS):
        # The written day parts and the cost parts read the same units: computed once for both (or taken from a
        # rebuild of the rollups around this one, `rollups.rebuild_days`).
        with rollups_sql.shared_units(*day_bounds(span_first, span_last, local_zone())):
            written += _rebuild_span(span_first, span_last, now)
    return written


def _rebuild_span(first: dt.date, last: dt.date, now: dt.datetime) -> int:
    zone = local_zone()
    values = dayparts_sql.params(first, last, zone, now)
    days = Q(day__gte=first, day__lte=last)
    if connection.vendor == "postgresql":
        # The case resolutions go straight from the statement into their table (a month holds millions); the swap of
        # the few aggregated rows follows. PostgreSQL takes no lock here that a reply or wrap-up waits on.
        sqls = dayparts_sql.statements(first, last, zone, now, insert_resolutions=CaseResolution._meta.db_table)
        span = (last - first).days + 1
        found = [
            row for name in ("inbound", "written", "backlog") for row in dayparts_sql.run(sqls[name], values, days=span)
        ]
        costs = _costs(dayparts_sql.run(sqls["costs"], values, days=span))
        with transaction.atomic():
            CaseResolution.objects.filter(days).delete()
            found += dayparts_sql.run(sqls["cases"], values, days=span)
            rows = _assemble(found)
            _swap(days, rows, costs, [])
        return len(rows) + len(costs)
    # SQLite: everything computed before the transaction; its one write lock is held for the swap only.
    built = build(first, last, now=now, costs=True, resolutions=True)
    with transaction.atomic():
        CaseResolution.objects.filter(days).delete()
        _swap(days, built.parts, built.costs, built.resolutions)
    return len(built.parts) + len(built.costs)


def _swap(days: Q, rows: list[SimpleNamespace], costs: list[CostPart], resolutions: list[CaseResolution]) -> None:
    DayPart.objects.filter(days).delete()
    DayPart.objects.bulk_create([DayPart(**vars(row)) for row in rows], batch_size=1000)
    CostPart.objects.filter(days).delete()
    CostPart.objects.bulk_create(costs, batch_size=1000)
    CaseResolution.objects.bulk_create(resolutions, batch_size=1000)


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
    # The backlog at the end of every day since a written contact arrived.
    days |= _waiting_days(contact_ids, now, zone)
    if not closing:
        return days
    # Windows that closed: days with cases still pending a week ago.
    closed = (now - WEEK - dt.timedelta(days=1)).astimezone(zone).date()
    days.update(
        DayPart.objects.filter(kind=RESOLVED, day__lte=closed).exclude(fcr_pending=[]).values_list("day", flat=True)
    )
    return days


def _waiting_days(contact_ids: list[int], now: dt.datetime, zone: ZoneInfo) -> set[dt.date]:
    """Every day from a written contact's arrival to now: whether it still waited at a day's end may have changed
    (a reply, or one corrected away), and its earlier answer is no longer known."""
    written = [c for c in Channel.values if c not in Channel.realtime()]
    days: set[dt.date] = set()
    last = now.astimezone(zone).date()
    for chunk in range(0, len(contact_ids), 5000):
        found = Contact.objects.filter(
            pk__in=contact_ids[chunk : chunk + 5000], direction=Direction.INBOUND, channel__in=written
        ).aggregate(first=Min("occurred_at"))["first"]
        day = found.astimezone(zone).date() if found is not None else last + dt.timedelta(days=1)
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
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

    The `stale` days (those a dirty contact may change, see `affected_days`) are computed from the events now, as of
    `now`, and folded in instead of their stored rows: the result is the definition's over the events. So is a last
    day the period ends within (the same part of the period before a running one, `trends.previous_until`). Raise
    NotInParts for a grouping they lack, a zone other than the configured one or a period not from a local midnight.
    """
    configured = local_zone()
    if by not in GROUPINGS:
        raise NotInParts(f"the day parts have no grouping {by!r}")
    if zone.key != configured.key:
        raise NotInParts("the day parts are kept in the configured time zone")
    first, last = local_days(start, end, zone)
    whole_start, whole_end = day_bounds(first, last, zone)
    if start != whole_start:
        raise NotInParts("the period does not begin on a local midnight")
    until = end if end != whole_end else None
    names = names or metrics.load_names()
    level = LEG if by in metrics.LEG_GROUPINGS else CONTACT
    per_agent = by in PER_AGENT
    now_us = (now - _EPOCH) // dt.timedelta(microseconds=1)
    week_us = metrics.FCR_WINDOW // dt.timedelta(microseconds=1)
    sums: dict[str, dict[str, Any]] = defaultdict(
        lambda: {**dict.fromkeys(_COUNTED, 0), "fcr_young": 0, "fcr_young_solved": 0, "csi": Counter(),
                 "response": Counter()}
    )  # fmt: skip
    wanted = Q(kind=INBOUND) | (Q(per_agent=per_agent) & ~Q(kind=BACKLOG) & (~Q(kind=WRITTEN) | Q(level=level)))
    rows = DayPart.objects.filter(day__gte=first, day__lte=last).filter(wanted).order_by()
    stale_days = sorted({day for day in stale if first <= day <= last} | ({last} if until is not None else set()))
    fresh: list[SimpleNamespace] = []
    if stale_days:
        rows = rows.exclude(day__in=stale_days)
        for run_first, run_last in day_runs(stale_days):
            if until is not None and run_first == run_last == last and last not in stale:
                run = _day_in_part(last, until, now)
            else:
                run = build(run_first, run_last, now=now, only=("inbound", "cases", "written"), until=until).parts
            fresh += [
                p
                for p in run
                if p.kind == INBOUND or (p.per_agent == per_agent and (p.kind != WRITTEN or p.level == level))
            ]
    labels: dict[tuple[str, int, str, int | None], str | None] = {}

    def label_of(kind: str, queue_id: int, channel: str, agent: int | None) -> str | None:
        key = (kind, queue_id, channel, agent)
        if key not in labels:
            team = names.agent_teams.get(agent) if agent is not None and kind != INBOUND else None
            labels[key] = metrics.group_key(by, names, zone, queue_id=queue_id, channel=channel, team_id=team,
                                            agent_id=agent, at=None)  # fmt: skip
        return labels[key]

    # The counts are summed by the database; only the histograms and the lists still waiting are read.
    fields = ("kind", "queue_id", "channel", "agent_id")
    totals = rows.values(*fields).annotate(**{name: Sum(name) for name in _COUNTED})
    row: dict[str, Any]
    counted = [{**{f: getattr(p, f) for f in fields}, **{name: getattr(p, name) for name in _COUNTED}} for p in fresh]
    for row in [*cast(Iterable[dict[str, Any]], totals), *counted]:
        label = label_of(row["kind"], row["queue_id"], row["channel"], row["agent_id"])
        if label is None:
            continue
        s = sums[label]
        for name in _COUNTED:
            s[name] += row[name] or 0
    # The histograms and lists as text in one query, decoded only where a row holds one; fetched at once (a month per
    # queue is ~1.3 MB at a million contacts; a server-side cursor WITH HOLD, copied at its commit, cost more).
    stored = rows.exclude(csi_h={}, response_h={}, fcr_pending=[], due=[]).values_list(
        *fields, *(Cast(name, TextField()) for name in _LISTS)
    )
    built = [(*(getattr(p, f) for f in fields), *(getattr(p, name) for name in _LISTS)) for p in fresh]
    for kind, queue_id, channel, agent, *lists in [*stored, *built]:
        label = label_of(kind, queue_id, channel, agent)
        if label is None:
            continue
        s = sums[label]
        pending, csi, response, due = (_decoded(values) for values in lists)
        for at, solved in pending:
            if at + week_us <= now_us:
                s["fcr_cases"] += 1
                s["fcr_solved"] += solved
            else:  # its 7 days still run: only in the figure so far
                s["fcr_young"] += 1
                s["fcr_young_solved"] += solved
        # Summed by the grid point's text (an int() per entry cost a month's read a fifth of its time).
        s["csi"].update(csi)
        s["response"].update(response)
        s["overdue"] += sum(1 for moment in due if moment <= now_us)
    ratio = metrics.ratio
    result = {}
    for label, s in sums.items():
        csi = {int(k): n for k, n in s["csi"].items()}
        result[label] = {
            "fcr": ratio(s["fcr_solved"], s["fcr_cases"]),
            "fcr_cases": s["fcr_cases"],
            "fcr_so_far": ratio(s["fcr_solved"] + s["fcr_young_solved"], s["fcr_cases"] + s["fcr_young"]),
            "repeat_rate": ratio(s["repeats"], s["identified"]),
            "identified_share": ratio(s["identified"], s["inbound"]),
            "csi_median_s": median_of(csi),
            "csi_p90_s": percentile_of(csi, 0.9),
            "csi_open_cases": s["open_cases"],
            "first_response_median_s": median_of({int(k): n for k, n in s["response"].items()}),
            # Counted: replied with a norm + unreplied past it (+ the live earlier messages, added by the report).
            "_norm": (s["norm_within"], s["norm_replied"] + s["overdue"]),
        }
    return result


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: How long the parts of a day read in part are kept: the cut (`trends.previous_until`) moves on every quarter hour.
IN_PART_KEPT_S = 15 * 60


def _day_in_part(day: dt.date, until: dt.datetime, now: dt.datetime) -> list[SimpleNamespace]:
    """The parts of `day` up to `until`, built from the events and kept for the next read (the manager page builds
    the period before's last day on every request otherwise). Only for a day no dirty contact touches: such a day
    changes only when a refresh rewrites its stored parts, whose ids (new ones on every rewrite) are in the key. Built
    as of an earlier `now` they read the same: what still ran then (an FCR's 7 days, a norm) is kept as moments and
    judged by the reader's `now` (see `figures`)."""
    stored = DayPart.objects.filter(day=day).aggregate(last=Max("id"), n=Count("id"))
    key = f"dayparts:in-part:{day.isoformat()}:{until.timestamp()}:{stored['last']}:{stored['n']}"
    parts: list[SimpleNamespace] | None = cache.get(key)
    if parts is None:
        parts = build(day, day, now=now, only=("inbound", "cases", "written"), until=until).parts
        cache.set(key, parts, IN_PART_KEPT_S)
    return parts


def _decoded(values: str | list[Any] | dict[str, Any]) -> Any:
    """A list or histogram field read as text (stored) or as itself (built now)."""
    if not isinstance(values, str):
        return values
    return json.loads(values)


def day_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days (first, last): each run is built from the events in one pass."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def backlog_at_end(day: dt.date) -> list[tuple[int, str, int, dt.datetime | None]] | None:
    """(queue, channel, backlog, oldest arrival) at the end of the local `day`, from its day parts; None when the day
    has not been built since it ended (a day a dirty contact may change is not: see `rollups.stale_days`)."""
    rows = list(
        DayPart.objects.filter(day=day, kind=BACKLOG).values_list("queue_id", "channel", "backlog", "oldest_us")
    )
    if not rows:
        return None
    return [
        (q, c, n, None if oldest is None else _EPOCH + dt.timedelta(microseconds=oldest)) for q, c, n, oldest in rows
    ]


def unbuilt_ended_days(today: dt.date, *, limit: int = REBUILD_DAYS) -> list[dt.date]:
    """The ended days since the last day with a backlog row, at most `limit` back: a day without a contact of its
    own is built once it ended (its backlog holds the contacts still waiting from before)."""
    last = DayPart.objects.filter(kind=BACKLOG, day__lt=today).aggregate(last=Max("day"))["last"]
    if last is None:
        return []
    first = max(last + dt.timedelta(days=1), today - dt.timedelta(days=limit))
    return [first + dt.timedelta(days=n) for n in range((today - first).days)]
