"""Reads behind the workforce pages: the staffing table, forecast against actual, the shift grid.

The forecast, handle time and required agents come from the latest plan covering a day (what the planner
worked from); the scheduled agents from the planned work activities; the actual from the event log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import formats

from contactpunt.contacts.models import Queue
from contactpunt.kpis import offered
from contactpunt.kpis.intervals import INTERVAL, day_bounds, interval_start
from contactpunt.people.models import User
from contactpunt.workforce.charts import Marked, Point
from contactpunt.workforce.models import Activity, PlannedActivity, PlannedShift, ShiftPlan
from contactpunt.workforce.peaks import peak_days, peak_label
from contactpunt.workforce.requirement import grid, needs_from_json


@dataclass(frozen=True)
class StaffingRow:
    """One quarter hour of the staffing table."""

    start: dt.datetime
    volume: float
    aht_s: float | None
    required: int
    scheduled: int
    actual: int | None

    @property
    def gap(self) -> int:
        """Scheduled minus required: below zero is a shortfall."""
        return self.scheduled - self.required


def plan_for(day: dt.date, queue_code: str | None = None) -> ShiftPlan | None:
    """The latest finished plan whose days include `day` (for that queue, or over every queue)."""
    plans = ShiftPlan.objects.filter(status="done", first_day__lte=day).order_by("-created_at", "-id")
    if queue_code:
        plans = plans.filter(Q(queue__code=queue_code) | Q(queue__isnull=True))
    for plan in plans[:50]:
        if plan.last_day >= day:
            return plan
    return None


def scheduled_per_interval(
    start: dt.datetime, end: dt.datetime, queue_code: str | None = None
) -> dict[dt.datetime, int]:
    """Agents in a work activity at the start of every quarter hour of [start, end)."""
    activities = PlannedActivity.objects.filter(kind=Activity.WORK, start__lt=end, end__gt=start)
    if queue_code:
        activities = activities.filter(shift__queue__code=queue_code)
    counts: dict[dt.datetime, int] = defaultdict(int)
    for begin, until in activities.values_list("start", "end"):
        moment = max(interval_start(begin), start)
        if moment < begin:
            moment += INTERVAL
        while moment < min(until, end):
            counts[moment] += 1
            moment += INTERVAL
    return counts


def actual_per_interval(start: dt.datetime, end: dt.datetime, queue_code: str | None = None) -> dict[dt.datetime, int]:
    """Offered contacts per quarter hour of [start, end) (by their first `queued` event): read from the KPI rollups."""
    queue_ids = None
    if queue_code:
        queue_ids = set(Queue.objects.filter(code=queue_code).values_list("pk", flat=True))
    counts = offered.offered_per_interval(start, end, queue_ids=queue_ids)
    return {moment: count for moment, count in counts.items() if start <= moment < end}


def staffing_table(day: dt.date, zone: ZoneInfo, *, queue_code: str | None, now: dt.datetime) -> list[StaffingRow]:
    """Every quarter hour of the local `day`: forecast volume, AHT, required, scheduled, actual so far."""
    start, end = day_bounds(day, day, zone)
    plan = plan_for(day, queue_code)
    volume: dict[dt.datetime, float] = defaultdict(float)
    seconds: dict[dt.datetime, float] = defaultdict(float)
    required: dict[dt.datetime, int] = defaultdict(int)
    if plan is not None:
        for need in needs_from_json(plan.intervals):
            if start <= need.start < end and (not queue_code or need.queue == queue_code):
                volume[need.start] += need.volume
                seconds[need.start] += need.volume * need.aht_s
                required[need.start] += need.required
    scheduled = scheduled_per_interval(start, end, queue_code)
    actual = actual_per_interval(start, end, queue_code)
    return [
        StaffingRow(
            start=moment,
            volume=volume[moment],
            aht_s=seconds[moment] / volume[moment] if volume[moment] else None,
            required=required[moment],
            scheduled=scheduled.get(moment, 0),
            actual=actual.get(moment, 0) if moment < now else None,
        )
        for moment in grid(day, 1, zone)
    ]


def forecast_against_actual(
    plan: ShiftPlan, zone: ZoneInfo, *, queue_code: str | None, now: dt.datetime
) -> tuple[list[Point], list[Marked]]:
    """Per local hour over the plan's days: forecast with its 80% interval, actual so far; peak days marked.

    The hourly 80% interval combines the quarter hours' half-widths in quadrature (independent errors).
    """
    start, end = day_bounds(plan.first_day, plan.last_day, zone)
    hours: dict[dt.datetime, list[float]] = {}
    for need in needs_from_json(plan.intervals):
        if queue_code and need.queue != queue_code:
            continue
        local = need.start.astimezone(zone).replace(minute=0)
        slot = hours.setdefault(local, [0.0, 0.0, 0.0])
        slot[0] += need.volume
        slot[1] += (need.volume - need.lower) ** 2 if need.lower is not None else 0.0
        slot[2] += (need.upper - need.volume) ** 2 if need.upper is not None else 0.0
    actual: dict[dt.datetime, float] = defaultdict(float)
    for moment, count in actual_per_interval(start, min(end, now), queue_code).items():
        actual[moment.astimezone(zone).replace(minute=0)] += count
    points = []
    day_index: dict[dt.date, list[int]] = defaultdict(list)
    for n, (local, (mean, below, above)) in enumerate(sorted(hours.items())):
        day_index[local.date()].append(n)
        past = local + dt.timedelta(hours=1) <= now.astimezone(zone)
        seen = actual.get(local, 0.0) if past else None
        points.append(
            Point(formats.date_format(local, "D j F H:i"), mean, max(0.0, mean - below**0.5), mean + above**0.5, seen)
        )
    marked: list[Marked] = []
    for day, keys in sorted(peak_days(plan.first_day, plan.last_day).items()):
        if day not in day_index:
            continue
        label = ", ".join(sorted({peak_label(key.rsplit(":", 1)[0].removeprefix("holiday:")) for key in keys}))
        first, last = day_index[day][0], day_index[day][-1]
        if marked and marked[-1].label == label and marked[-1].last + 1 == first:
            marked[-1] = Marked(marked[-1].first, last, label)
        else:
            marked.append(Marked(first, last, label))
    return points, marked


@dataclass(frozen=True)
class GridRow:
    """One agent's shifts over the days of the grid (None where the agent has no shift)."""

    agent: User
    cells: list[list[PlannedShift]]
    hours: float


def shift_grid(first: dt.date, days: int, *, agent_ids: list[int] | None = None) -> list[GridRow]:
    """The planned shifts of the local days [first, first + days) per agent, with their activities."""
    last = first + dt.timedelta(days=days - 1)
    shifts = PlannedShift.objects.filter(day__range=(first, last)).select_related("agent", "queue")
    if agent_ids is not None:
        shifts = shifts.filter(agent_id__in=agent_ids)
    by_agent: dict[int, GridRow] = {}
    for shift in shifts.prefetch_related("activities").order_by("agent__username", "start"):
        row = by_agent.setdefault(shift.agent_id, GridRow(shift.agent, [[] for _ in range(days)], 0.0))
        row.cells[(shift.day - first).days].append(shift)
        hours = row.hours + (shift.end - shift.start).total_seconds() / 3600
        by_agent[shift.agent_id] = GridRow(row.agent, row.cells, hours)
    return sorted(by_agent.values(), key=lambda r: natural(r.agent.display_name))


def natural(name: str) -> tuple[tuple[int, str], ...]:
    """A sort key that puts agent 2 before agent 10."""
    return tuple((int(part), "") if part.isdigit() else (0, part.casefold()) for part in re.split(r"(\d+)", name))
