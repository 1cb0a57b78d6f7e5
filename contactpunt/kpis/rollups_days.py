"""The day level of the rollups: the interval rows of each local day (settings.TIME_ZONE) summed per level x queue x
channel x team (`DayRollup`), so a month's queue figures read about 31 rows per key instead of 2,976 intervals.

The day rows are built from the interval rows, set-based (one `INSERT … SELECT … GROUP BY` per span of days), after
the intervals they sum are rebuilt (`rollups.rebuild`, and so `refresh`): a day row is always the sum of its
intervals' rows, which are the definition's (`rollups_rows`; the tests compare both with it). A read takes the whole
local days of its period from here, except a day a dirty contact touches (its intervals are read and the dirty ones
computed from the events), and the partial days at its edges from the intervals (`split`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from contactpunt.kpis import intervals
from contactpunt.kpis.intervals import day_bounds, day_spans, local_midnight
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.models import DayRollup, IntervalRollup
from contactpunt.kpis.rollups_rows import HISTOGRAM_EDGES, thresholds

#: Days per statement of a rebuild.
SPAN_DAYS = 31
_COUNTS = ("offered", "answered", "abandoned", "short_abandons", "waiting", "handled", "transferred",
           "wait_answered_s", "talk_s", "hold_s", "wrap_s", "answered_within_sl")  # fmt: skip
_KEY = ("level", "queue_id", "channel", "team_id")


def local_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last local day (the configured zone) that [start, end) touches."""
    return intervals.local_days(start, end, local_zone())


def replace(first: dt.date, last: dt.date, *, limits: Sequence[int] | None = None) -> int:
    """Replace the day rows of the local days `first` to `last` by the sums of their interval rows, SPAN_DAYS at a
    time; returns the rows written. `limits`: the thresholds whose answered-within counts are summed (default the
    configured ones, `thresholds`)."""
    limits = thresholds() if limits is None else limits
    return sum(
        _replace_span(span_first, span_last, limits) for span_first, span_last in day_spans(first, last, SPAN_DAYS)
    )


def _replace_span(first: dt.date, last: dt.date, limits: Sequence[int]) -> int:
    zone = local_zone()
    pg = connection.vendor == "postgresql"
    adapt_moment, adapt_day = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    days: list[Any] = []
    rows = []
    day = first
    while day <= last:
        start, end = day_bounds(day, day, zone)
        rows.append("(CAST(%s AS date), CAST(%s AS timestamptz), CAST(%s AS timestamptz))" if pg else "(%s, %s, %s)")
        days += [adapt_day(day), adapt_moment(start), adapt_moment(end)]
        day += dt.timedelta(days=1)
    span_start, span_end = day_bounds(first, last, zone)

    def number(column: str, key: str) -> str:
        return f"CAST(r.{column} ->> '{key}' AS INTEGER)" if pg else f"json_extract(r.{column}, '$.\"{key}\"')"

    def without_nulls(pairs: list[tuple[str, str]]) -> str:
        body = ", ".join(f"'{k}', {v}" for k, v in pairs)
        return f"jsonb_strip_nulls(jsonb_build_object({body}))" if pg else f"json_patch('{{}}', json_object({body}))"

    # A threshold's count only when every interval of the day has it (one built before the threshold was configured
    # lacks it, and a read of it falls back to the events); the histogram keeps its non-empty buckets.
    within = [(str(k), f"CASE WHEN COUNT({number('answered_within', str(k))}) = COUNT(*)"
                       f" THEN SUM({number('answered_within', str(k))}) END") for k in limits]  # fmt: skip
    buckets = [(k, f"NULLIF(SUM(COALESCE({number('wait_histogram', k)}, 0)), 0)")
               for k in (*map(str, HISTOGRAM_EDGES), "inf")]  # fmt: skip
    table, source = DayRollup._meta.db_table, IntervalRollup._meta.db_table
    columns = ", ".join(("day", *_KEY, *_COUNTS, "answered_within", "wait_histogram"))
    # The tables' and columns' own names and the thresholds' numbers are formatted in; the moments are parameters.
    sql = f"""
WITH d(day, start, stop) AS (VALUES {", ".join(rows)})
INSERT INTO {table} ({columns})
SELECT d.day, {", ".join(f"r.{k}" for k in _KEY)}, {", ".join(f"SUM(r.{c})" for c in _COUNTS)},
       {without_nulls(within)}, {without_nulls(buckets)}
FROM {source} r JOIN d ON r.start >= d.start AND r.start < d.stop
WHERE r.start >= %s AND r.start < %s
GROUP BY d.day, {", ".join(f"r.{k}" for k in _KEY)}
"""  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        DayRollup.objects.filter(day__gte=first, day__lte=last).delete()
        cursor.execute(sql, [*days, adapt_moment(span_start), adapt_moment(span_end)])
        return int(cursor.rowcount)


def split(
    start: dt.datetime, end: dt.datetime, stale: Collection[dt.datetime]
) -> tuple[list[dt.date], list[tuple[dt.datetime, dt.datetime]]]:
    """The local days wholly within [start, end) that no `stale` interval (one a dirty contact touches) falls in:
    read from the day rows; and the ranges of [start, end) left to the interval rows."""
    zone = local_zone()
    touched = {moment.astimezone(zone).date() for moment in stale}
    days: list[dt.date] = []
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = start
    day = start.astimezone(zone).date()
    while (day_start := local_midnight(day, zone)) < end:
        day_end = local_midnight(day + dt.timedelta(days=1), zone)
        if day_start >= start and day_end <= end and day not in touched:
            days.append(day)
            if cursor < day_start:
                ranges.append((cursor, day_start))
            cursor = day_end
        day += dt.timedelta(days=1)
    if cursor < end:
        ranges.append((cursor, end))
    return days, ranges


def in_ranges(ranges: Sequence[tuple[dt.datetime, dt.datetime]]) -> Q:
    """The interval rows starting within one of `ranges` (none when there are none)."""
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(start__gte=first, start__lt=last)
    return q


def rows(level: str, days: Sequence[dt.date]) -> Any:
    """The day rows of `level` on `days` (sorted), as a queryset; `days` may skip some of its range."""
    if not days:
        return DayRollup.objects.none()
    skipped = sorted({days[0] + dt.timedelta(days=n) for n in range((days[-1] - days[0]).days + 1)} - set(days))
    found = DayRollup.objects.filter(level=level, day__gte=days[0], day__lte=days[-1]).order_by()
    return found.exclude(day__in=skipped) if skipped else found


def with_start(values: dict[str, Any]) -> dict[str, Any]:
    """A day row's values with its day as the moment it starts (the key the interval rows are labelled by)."""
    day = values.pop("day", None)
    if day is not None:
        values["start"] = local_midnight(day, local_zone())
    return values
