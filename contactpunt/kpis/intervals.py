"""15-minute intervals: keyed by their UTC start, shown in a local time zone.

A local day holds 96 quarter hours, 92 on the day the clocks go forward and 100 on the day they go
back; `day_intervals` counts them from the zone's own midnights.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

INTERVAL = dt.timedelta(minutes=15)
_INTERVAL_S = 15 * 60


def interval_start(moment: dt.datetime) -> dt.datetime:
    """Return the UTC start of the 15-minute interval holding `moment` (an aware datetime)."""
    utc = moment.astimezone(dt.UTC)
    seconds = int(utc.timestamp())
    return dt.datetime.fromtimestamp(seconds - seconds % _INTERVAL_S, dt.UTC)


def zone() -> ZoneInfo:
    """The time zone local days and intervals are counted in (settings.TIME_ZONE)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Return the start of the local calendar day `day` in `zone`, in UTC."""
    return dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)


def day_bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC moments [start, end) covering the local days `first` to `last` inclusive."""
    return local_midnight(first, zone), local_midnight(last + dt.timedelta(days=1), zone)


def local_days(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """The first and last local day in `zone` that [start, end) touches."""
    return start.astimezone(zone).date(), (end - dt.timedelta(microseconds=1)).astimezone(zone).date()


def day_spans(first: dt.date, last: dt.date, size: int) -> list[tuple[dt.date, dt.date]]:
    """The days `first` to `last` in runs of at most `size` days: (first, last) of each run, in order."""
    spans = []
    while first <= last:
        end = min(last, first + dt.timedelta(days=size - 1))
        spans.append((first, end))
        first = end + dt.timedelta(days=1)
    return spans


def day_intervals(day: dt.date, zone: ZoneInfo) -> list[dt.datetime]:
    """Return the UTC starts of the quarter hours of local day `day` (92, 96 or 100 of them)."""
    start, end = day_bounds(day, day, zone)
    starts = []
    moment = start
    while moment < end:
        starts.append(moment)
        moment += INTERVAL
    return starts


def month_spans(
    start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime, dt.datetime]]:
    """The local calendar months [start, end) touches, each as (its local start as an aware datetime in `zone`, then
    the UTC moments [from, to) of that month within [start, end)). A query per month reads an index range where
    grouping by a truncated moment (TruncMonth) ran a Python function per row on SQLite."""
    spans: list[tuple[dt.datetime, dt.datetime, dt.datetime]] = []
    first = start.astimezone(zone).date().replace(day=1)
    while True:
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        month_start, month_end = local_midnight(first, zone), local_midnight(following, zone)
        if month_start >= end:
            return spans
        spans.append((dt.datetime.combine(first, dt.time(0), zone), max(start, month_start), min(end, month_end)))
        first = following
