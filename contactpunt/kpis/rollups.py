"""Keep the interval rollups up to date, rebuild them, and read queue figures from them.

Every contact event and received contact marks its contact dirty (one upsert, after commit); so does a change
of an agent's team (every contact the agent worked: their figures count for their current team). The periodic
job `refresh` rebuilds every interval a dirty contact entered a queue in, from the event log, and removes the
marks it rebuilt in the same transaction, at the version it read: a failure keeps them, and a mark written
meanwhile survives. Reads never write: an interval or a day a dirty contact touches is computed from the events
while read and folded in beside the rest, and with too many dirty contacts the whole read comes from the events.
`rebuild` throws the cache away for a period and computes it again. Reads that the rollups cannot answer (per agent,
a service-level threshold not configured when the rows were built, live figures) come from the events (`metrics`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from contactpunt.contacts.announcements import Announcement, subscribe_many, subscribe_within
from contactpunt.contacts.models import Channel, ContactEvent, EventName
from contactpunt.kpis import dayparts, metrics, rollups_days, rollups_sql
from contactpunt.kpis.dirty_marks import dirty_marks, mark_cases_dirty, mark_dirty, remove_marks
from contactpunt.kpis.facts import CONTACT, LEG, Unit, load_units
from contactpunt.kpis.intervals import INTERVAL, day_bounds, day_spans, interval_start, local_days
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.models import DayRollup, DirtyContact, IntervalRollup
from contactpunt.kpis.rollups_rows import HISTOGRAM_EDGES, NotInRollups, rows_for, thresholds

# A period that ended this long ago has (nearly) no contacts still waiting: the rollups can answer it.
SETTLED = dt.timedelta(hours=1)
#: The span one set-based rebuild statement covers.
REBUILD_CHUNK = dt.timedelta(days=31)


def rebuild(start: dt.datetime, end: dt.datetime, *, days: bool = True) -> int:
    """Recompute the rollups of every interval in [start, end) from the events, set-based (`rollups_sql`: the
    folding of `rows_for` over `load_units` as one query), then (with `days`) the day rows of the local days it
    touches from their intervals (`rollups_days`); returns the interval rows written.

    `start` and `end` are rounded out to whole intervals.
    """
    start = interval_start(start)
    end = interval_start(end) + (INTERVAL if end != interval_start(end) else dt.timedelta(0))
    limits = thresholds()
    written = 0
    # A month at a time: each statement reads the event log once, so a long chunk costs no more per contact than a
    # short one (a day at a time, every statement scanned the whole log). A contact that changes meanwhile is
    # marked dirty again and recomputed by the next refresh.
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(chunk_start + REBUILD_CHUNK, end)
        written += rollups_sql.replace(chunk_start, chunk_end, limits=limits, edges=HISTOGRAM_EDGES)
        chunk_start = chunk_end
    if days and start < end:
        rollups_days.replace(*rollups_days.local_days(start, end), limits=limits)
    return written


def rebuild_days(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """Rebuild every figure kept for the local days `first` to `last` from the events: the interval rollups with their
    day rows (`rebuild`) and the day parts with their cost parts and case resolutions (`dayparts.rebuild`), a span of
    dayparts.REBUILD_DAYS at a time, the units of a span computed once for all three (`rollups_sql.shared_units`);
    returns the interval rows and the day and cost part rows written."""
    now = now or timezone.now()
    intervals = parts = 0
    for span_first, span_last in day_spans(first, last, dayparts.REBUILD_DAYS):
        start, end = day_bounds(span_first, span_last, local_zone())
        with rollups_sql.shared_units(start, end):
            intervals += rebuild(start, end)
            parts += dayparts.rebuild(span_first, span_last, now=now)
    return intervals, parts


def rebuild_all() -> int:
    """Throw every rollup away and rebuild them over the whole event log. The dirty marks that existed when it
    started are removed at the end (a mark written meanwhile stays for the next refresh)."""
    marks = dirty_marks()
    bounds = ContactEvent.objects.filter(name=EventName.QUEUED).aggregate(
        first=Min("occurred_at"), last=Max("occurred_at")
    )
    dayparts.rebuild_all()
    if bounds["first"] is None:
        IntervalRollup.objects.all().delete()
        DayRollup.objects.all().delete()
        written = 0
    else:
        IntervalRollup.objects.filter(start__lt=interval_start(bounds["first"])).delete()
        IntervalRollup.objects.filter(start__gt=bounds["last"]).delete()
        first, last = rollups_days.local_days(bounds["first"], bounds["last"] + dt.timedelta(seconds=1))
        DayRollup.objects.filter(Q(day__lt=first) | Q(day__gt=last)).delete()
        written = rebuild(bounds["first"], bounds["last"] + dt.timedelta(seconds=1))
    with transaction.atomic():
        remove_marks(marks)
    return written


def connect() -> None:
    """Subscribe to what `contacts` announces (called from the app's ready())."""
    # Marks for new contacts and events commit with them (no commit of their own, none lost to a crash).
    subscribe_within(Announcement.CONTACT_RECEIVED, mark_dirty)
    subscribe_within(Announcement.CONTACT_EVENT_RECORDED, mark_dirty)
    subscribe_many(Announcement.CASE_RESOLVED, mark_cases_dirty)
    subscribe_many(Announcement.CASE_REOPENED, mark_cases_dirty)
    subscribe_many(Announcement.CASE_UPDATED, mark_cases_dirty)


#: Dirty contacts rebuilt per transaction: the write lock is held for one batch's intervals, never a whole backfill.
REFRESH_BATCH = 2000
#: A read folds at most this many intervals that dirty contacts touch from the events; more, and it reads everything
#: from the events (the periodic refresh catches up within a minute or two).
READ_STALE_LIMIT = 96
#: From this many dirty contacts on, a backfill runs (the first start's history, an import; kpis.tasks hands it to
#: the long lane): reads show the rollups and day parts as far as they are built instead of computing minutes of
#: history from the events on a request, and the pages say the figures are still being computed (`is_catching_up`).
CATCHING_UP_FROM = 2000


def is_catching_up() -> bool:
    """Whether a backfill of the rollups runs: more than CATCHING_UP_FROM contacts wait for their refresh."""
    return DirtyContact.objects.order_by()[CATCHING_UP_FROM : CATCHING_UP_FROM + 1].exists()


def _queued_starts(contact_ids: Sequence[int]) -> set[dt.datetime]:
    starts: set[dt.datetime] = set()
    for chunk in range(0, len(contact_ids), 5000):
        for at in ContactEvent.objects.filter(
            contact_id__in=contact_ids[chunk : chunk + 5000], name=EventName.QUEUED
        ).values_list("occurred_at", flat=True):
            starts.add(interval_start(at))
    return starts


def refresh() -> int:
    """Recompute every interval that a dirty contact entered a queue in, and the days it touches; returns the
    intervals recomputed. The marks are read once, then handled a batch at a time: a batch's marks are removed
    only after its intervals and days are rebuilt and at the version read, so an error leaves every mark of the
    batch for the next run and a mark raised during the rebuild stays. An interval or day rebuilt by an earlier
    batch of the same run is not rebuilt again: it was rebuilt after the marks were read, so it holds every event
    behind them (a mark raised since has a newer version and stays)."""
    marks = dirty_marks()
    rebuilt_starts: set[dt.datetime] = set()
    rebuilt_days: set[dt.date] = set()
    for first in range(0, len(marks), REFRESH_BATCH):
        batch = marks[first : first + REFRESH_BATCH]
        contact_ids = [c for _pk, c, _v in batch]
        # No transaction around the batch: each day is computed first and swapped in a short transaction of its
        # own (SQLite's one write lock is held for the swap only, so replies and wrap-ups get in between). The
        # marks go once every interval and day behind them is swapped in; a mark raised meanwhile has a newer
        # version and stays, and an error before this point leaves every mark of the batch for the next run.
        days = dayparts.affected_days(contact_ids) - rebuilt_days
        starts = _queued_starts(contact_ids) - rebuilt_starts
        for run_first, run_last in _runs(sorted(starts)):
            rebuild(run_first, run_last + INTERVAL, days=False)
        # The day rows of the days those intervals fall on, summed again (once a day however many runs it holds).
        for days_first, days_last in dayparts.day_runs(sorted({s.astimezone(local_zone()).date() for s in starts})):
            rollups_days.replace(days_first, days_last)
        for days_first, days_last in dayparts.day_runs(sorted(days)):
            dayparts.rebuild(days_first, days_last)
        with transaction.atomic():
            remove_marks(batch)
        rebuilt_starts |= starts
        rebuilt_days |= days
    # A day that ended without a contact of its own is built once (its backlog: the contacts waiting from before).
    quiet = [day for day in dayparts.unbuilt_ended_days(timezone.now().astimezone(local_zone()).date())
             if day not in rebuilt_days]  # fmt: skip
    for days_first, days_last in dayparts.day_runs(quiet):
        dayparts.rebuild(days_first, days_last)
    return len(rebuilt_starts)


def _runs(starts: list[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    runs: list[tuple[dt.datetime, dt.datetime]] = []
    for start in starts:
        if runs and start - runs[-1][1] <= INTERVAL:
            runs[-1] = (runs[-1][0], start)
        else:
            runs.append((start, start))
    return runs


# -- reading ----------------------------------------------------------------------------------


_GROUP_FIELDS: dict[str | None, tuple[str, ...]] = {
    None: (),
    "queue": ("queue_id",),
    "department": ("queue_id",),
    "channel": ("channel",),
    "team": ("team_id",),
    "site": ("team_id",),
    "day": ("start",),
    "interval": ("start",),
}
_SUMMED = ("offered", "answered", "abandoned", "short_abandons", "waiting", "handled", "transferred",
           "wait_answered_s", "answered_within_sl")  # fmt: skip


@dataclass(slots=True)
class _Sum:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    waiting: int = 0
    handled: int = 0
    transferred: int = 0
    wait_answered_s: float = 0.0
    handle_s: float = 0.0
    within: int = 0  # the service level's parts: realtime channels only
    sl_offered: int = 0
    sl_short_abandons: int = 0


def queue_figures(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None = None,
    zone: ZoneInfo | None = None,
    threshold_s: int | None = None,
    now: dt.datetime | None = None,
    names: metrics.Names | None = None,
) -> dict[str, dict[str, Any]]:
    """The queue figures of `metrics.queue_figures` for [start, end) per group, from the rollups.

    Contacts still waiting count as missed. With `now` inside or just after the period, the last hour (not
    settled yet) is read from the events and folded in, counted live as `metrics.service_level` does. Raise
    NotInRollups for groupings or thresholds they lack.
    """
    if by not in _GROUP_FIELDS:
        raise NotInRollups(f"the rollups have no grouping {by!r}")
    if start != interval_start(start) or end != interval_start(end):
        raise NotInRollups("the period does not fall on interval edges")
    names = names or metrics.load_names()
    zone = zone or ZoneInfo("UTC")
    level = LEG if by in metrics.LEG_GROUPINGS else CONTACT
    # Grouped by channel too: service level counts the realtime channels only.
    fields = tuple(dict.fromkeys((*_GROUP_FIELDS[by], "channel")))
    realtime = Channel.realtime()
    settled_end = end
    units: list[Unit] = []
    tail: list[dict[str, Any]] = []
    if now is not None and end > now - SETTLED:
        settled_end = max(start, min(end, interval_start(now - SETTLED)))
        limits = sorted({*thresholds(), *([threshold_s] if threshold_s is not None else [])})
        if max(limits) >= SETTLED.total_seconds():
            raise NotInRollups("a threshold longer than the unsettled hour")
        units = load_units(settled_end, end, level=level)
        tail = [_as_values(row) for row in rows_for(units, limits)]
    stale = stale_intervals(start, settled_end)
    # Whole local days from the day rows (but for labels of another zone's days, or intervals); the rest, and the
    # days a dirty contact touches, from the interval rows.
    by_days = by != "interval" and (by != "day" or zone.key == local_zone().key)
    days, ranges = rollups_days.split(start, settled_end, stale) if by_days else ([], [(start, settled_end)])
    rows = IntervalRollup.objects.filter(rollups_days.in_ranges(ranges), level=level).order_by()
    day_rows = rollups_days.rows(level, days)
    day_fields = tuple("day" if f == "start" else f for f in fields)
    if stale:
        # Intervals a dirty contact touches: computed from the events now, never from their outdated rows.
        rows = rows.exclude(start__in=sorted(stale))
        limits = sorted({*thresholds(), *([threshold_s] if threshold_s is not None else [])})
        tail += [_as_values(row) for row in rows_for(units_of(stale, level), limits)]
    # The additive columns are summed by the database, per the fields the grouping needs; the labels
    # (local days, departments) are folded here over those few rows.
    summed = {name: Sum(name) for name in _SUMMED} | {"handle_s": Sum(F("talk_s") + F("hold_s") + F("wrap_s"))}
    totals = [*rows.values(*fields).annotate(**summed),
              *map(rollups_days.with_start, day_rows.values(*day_fields).annotate(**summed))]  # fmt: skip
    sums: dict[str, _Sum] = defaultdict(_Sum)

    by_moment: dict[dt.datetime, str | None] = {}

    def label_of(row: dict[str, Any]) -> str | None:
        if by in ("day", "interval"):  # the label of a moment, asked once per channel of every interval
            at = row["start"]
            if at not in by_moment:
                by_moment[at] = metrics.group_key(by, names, zone, queue_id=None, channel=None, team_id=None,
                                                  agent_id=None, at=at)  # fmt: skip
            return by_moment[at]
        return metrics.group_key(by, names, zone, queue_id=row.get("queue_id"), channel=row.get("channel"),
                                 team_id=row.get("team_id"), agent_id=None, at=row.get("start"))  # fmt: skip

    for row in [*totals, *tail]:
        label = label_of(row)
        if label is None:
            continue
        s = sums[label]
        s.offered += row["offered"]
        s.answered += row["answered"]
        s.abandoned += row["abandoned"]
        s.short_abandons += row["short_abandons"]
        s.waiting += row["waiting"]
        s.handled += row["handled"]
        s.transferred += row["transferred"]
        s.wait_answered_s += row["wait_answered_s"]
        s.handle_s += row["handle_s"]
        if row["channel"] in realtime:
            s.within += row["answered_within_sl"]
            s.sl_offered += row["offered"]
            s.sl_short_abandons += row["short_abandons"]
    if threshold_s is not None:
        # Another threshold than the queues' own: read it from each row's answered-within counts.
        key = str(threshold_s)
        for s in sums.values():
            s.within = 0
        read = (*fields, "answered", "answered_within")
        days_read = day_rows.values(*day_fields, "answered", "answered_within")
        for row in [*rows.values(*read).iterator(chunk_size=5000), *tail, *map(rollups_days.with_start, days_read)]:
            label = label_of(row)
            if label is None or row["channel"] not in realtime:
                continue
            if key not in row["answered_within"]:
                raise NotInRollups(f"no answered-within count for {threshold_s} s; rebuild the rollups")
            sums[label].within += row["answered_within"][key]
    if now is not None and settled_end < end and now < end + dt.timedelta(hours=1):
        # Live: a contact still waiting no longer than the threshold is not counted yet.
        for u in units:
            limit = threshold_s if threshold_s is not None else u.sl_threshold_s
            if u.outcome == "waiting" and u.channel in realtime and (now - u.queued_at).total_seconds() <= limit:
                label = label_of({"queue_id": u.queue_id, "channel": u.channel, "team_id": u.team_id,
                                  "start": u.queued_at})  # fmt: skip
                if label is not None:
                    sums[label].sl_offered -= 1
    ratio = metrics.ratio
    return {
        label: {
            "offered": s.offered,
            "answered": s.answered,
            "abandoned": s.abandoned,
            "short_abandons": s.short_abandons,
            "service_level": ratio(s.within, s.sl_offered - s.sl_short_abandons),
            "asa_s": ratio(s.wait_answered_s, s.answered),
            "aht_s": ratio(s.handle_s, s.handled),
            "abandon_rate": ratio(s.abandoned - s.short_abandons, s.offered - s.short_abandons),
            "transfer_rate": ratio(s.transferred, s.handled),
            "reachability": ratio(s.answered, s.offered),
            "handled": s.handled,
            "waiting": s.waiting,
        }
        for label, s in sorted(sums.items())
    }


def _as_values(row: IntervalRollup) -> dict[str, Any]:
    """An unsaved rollup row as the database's summed values of it."""
    values: dict[str, Any] = {name: getattr(row, name) for name in _SUMMED}
    values.update(queue_id=row.queue_id, channel=row.channel, team_id=row.team_id, start=row.start,
                  handle_s=row.talk_s + row.hold_s + row.wrap_s, answered_within=row.answered_within)  # fmt: skip
    return values


def stale_intervals(start: dt.datetime, end: dt.datetime) -> set[dt.datetime]:
    """The intervals of [start, end) that a dirty contact entered a queue in (their rows are out of date until the
    next refresh). Raise NotInRollups when there are more than READ_STALE_LIMIT: too many to fold in a read.
    Nothing while a backfill runs (`is_catching_up`): the rows are read as far as they are built."""
    dirty = _dirty_unless_catching_up() if start < end else []
    if not dirty:  # no query on the event log (its partitions cost a new connection a good part of a cold report)
        return set()
    queued = ContactEvent.objects.filter(
        name=EventName.QUEUED, occurred_at__gte=start, occurred_at__lt=end, contact_id__in=dirty
    )
    starts = {interval_start(at) for at in queued.values_list("occurred_at", flat=True).distinct()[:10_000]}
    if len(starts) > READ_STALE_LIMIT:
        raise NotInRollups(f"{len(starts)} intervals wait for a refresh")
    return starts


def units_of(stale: set[dt.datetime], level: str) -> list[Unit]:
    units: list[Unit] = []
    for first, last in _runs(sorted(stale)):
        units += load_units(first, last + INTERVAL, level=level)
    return units


def dirty_days(*, now: dt.datetime | None = None) -> set[dt.date]:
    """The local days whose day parts (and case resolutions) a dirty contact may change (read, never written): a
    read builds those from the events. Nothing while a backfill runs (`is_catching_up`): the day parts are read
    as far as they are built."""
    dirty = _dirty_unless_catching_up()
    return dayparts.affected_days(dirty, now=now, closing=False) if dirty else set()


def _dirty_unless_catching_up() -> list[int]:
    """The dirty contacts, in one query; none while a backfill runs (more than CATCHING_UP_FROM, `is_catching_up`)."""
    dirty = list(DirtyContact.objects.order_by().values_list("contact_id", flat=True)[: CATCHING_UP_FROM + 1])
    return [] if len(dirty) > CATCHING_UP_FROM else dirty


def stale_days(start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None) -> set[dt.date]:
    """`dirty_days` within the local days of [start, end)."""
    days = dirty_days(now=now)
    first, last = rollups_days.local_days(start, end)
    return {day for day in days if first <= day <= last}


def daily_queue_figures(start: dt.datetime, end: dt.datetime, *, zone: ZoneInfo) -> dict[str, dict[str, Any]]:
    """The queue figures per local day: from the rollups for a settled period, else from the events."""
    try:
        return queue_figures(start, end, by="day", zone=zone, now=timezone.now())
    except NotInRollups:
        pass
    units = load_units(start, end, level=CONTACT)
    now = timezone.now()
    return {day: metrics.queue_figures(group, now=now) for day, group in _by_day(units, zone).items()}


def _by_day(units: Iterable[Unit], zone: ZoneInfo) -> dict[str, list[Unit]]:
    days: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        days[unit.queued_at.astimezone(zone).date().isoformat()].append(unit)
    return dict(sorted(days.items()))


def report(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None = None,
    zone: ZoneInfo | None = None,
    threshold_s: int | None = None,
    now: dt.datetime | None = None,
    with_backlog: bool = True,
) -> list[dict[str, Any]]:
    """`metrics.report`, with the queue figures read from the rollups and the figures over cases and customers from
    the day parts when they can answer (a period on local midnights, a grouping and threshold they hold; the
    intervals and days dirty contacts touch computed from the events beside them), else everything from the events.
    `with_backlog` False leaves the backlog out (a page that does not show it)."""
    now = now or timezone.now()
    zone = zone or ZoneInfo(timezone.get_default_timezone_name())
    names = metrics.load_names()
    parts: dict[str, dict[str, Any]] | None = None
    stale = stale_days(start, end, now=now)
    try:
        parts = dayparts.figures(start, end, by=by, zone=zone, now=now, names=names, stale=stale)
    except dayparts.NotInParts:
        parts = None
    backlog = None
    last_day = local_days(start, end, zone)[1]
    # The stored backlog is a whole day's end: for a past period that ends on a midnight and no dirty contact touches.
    settled_end = end <= now and end == day_bounds(last_day, last_day, zone)[1] and last_day not in stale
    if parts is not None and with_backlog and by in (None, "queue", "channel") and settled_end:
        backlog = dayparts.backlog_at_end(last_day)  # the backlog at the end of a past period: its last day's rows
    try:
        cached = queue_figures(start, end, by=by, zone=zone, threshold_s=threshold_s, now=now, names=names)
    except NotInRollups:
        return metrics.report(
            start,
            end,
            by=by,
            zone=zone,
            threshold_s=threshold_s,
            now=now,
            parts=parts,
            names=names,
            with_backlog=with_backlog,
            backlog=backlog,
        )
    written = [c for c in Channel.values if c not in Channel.realtime()]
    level = LEG if by in metrics.LEG_GROUPINGS else CONTACT
    units = [] if parts is not None else load_units(start, end, level=level, channels=written)
    return metrics.report(start, end, by=by, zone=zone, threshold_s=threshold_s, now=now, units=units,
                          cached=cached, parts=parts, names=names, with_backlog=with_backlog,
                          backlog=backlog)  # fmt: skip
