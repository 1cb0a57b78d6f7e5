"""Business hours laid out for the day parts' SQL (`dayparts_sql.written_sql`): every queue's norm, and each calendar's
timeline as segments with the open time before each, so the SQL finds open seconds and the moment a norm runs out by
equality joins. Laid out by Python from `business_hours.Schedule` (holidays included), exact to the microsecond."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db.models import Max

from contactpunt.contacts.business_hours import due_at, schedule_for
from contactpunt.contacts.models import ContactEvent, EventName, Queue

US = 1_000_000
DAY_US = 86_400 * US
#: Open time per key of the table that finds the moment a norm runs out.
OPEN_DAY_US = 86_400 * US


def calendar_rows(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> tuple[str, str, str]:
    """The VALUES of `written_sql`'s segments, pieces and norms: every queue's norm, and for the queues with a
    calendar the timeline from a day before `start` to a day after the last moment a unit of the period may need
    (the latest reply, the moment a norm runs out for a unit queued at `end`, `now`), cut at UTC midnights."""
    queues = list(Queue.objects.select_related("calendar").prefetch_related("calendar__opening_hours"))
    latest = ContactEvent.objects.filter(name=EventName.REPLIED).aggregate(at=Max("occurred_at"))["at"]
    norms: list[str] = []
    segments: list[str] = []
    pieces: list[str] = []
    for queue in queues:
        norm = queue.effective_response_norm_s
        norms.append(
            f"({queue.pk}, {'CAST(NULL AS BIGINT)' if norm is None else norm * US}, {int(queue.calendar is not None)})"
        )
        if queue.calendar is None:
            continue
        schedule = schedule_for(queue.calendar)
        horizon = max(end, now, latest or end)
        if norm is not None:
            with contextlib.suppress(ValueError):  # never open: never due
                horizon = max(horizon, due_at(schedule, end, norm))
        segments_of, pieces_of = _timeline(schedule, start - dt.timedelta(days=1), horizon + dt.timedelta(days=1))
        segments += [f"({queue.pk}, {', '.join(map(str, s))})" for s in segments_of]
        pieces += [f"({queue.pk}, {', '.join(map(str, p))})" for p in pieces_of]
    none = "(-1, -1, -1, -1, -1, 0)"
    return (
        ", ".join(segments) or none,
        ", ".join(pieces) or "(-1, -1, -1, -1, -1)",
        ", ".join(norms) or "(-1, CAST(NULL AS BIGINT), 0)",
    )


def _timeline(
    schedule: Any, first: dt.datetime, last: dt.datetime
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """(day key, start µs, end µs, open µs before, open) of the segments from `first` to `last` (open and closed,
    none across a UTC midnight), and (key, start µs, open µs before, open µs at its end) of the open ones cut at
    every OPEN_DAY_US of open time."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def us(at: dt.datetime) -> int:
        return (at - epoch) // dt.timedelta(microseconds=1)

    opened: list[tuple[int, int]] = []
    day = first.astimezone(schedule.time_zone).date() - dt.timedelta(days=1)
    while day <= last.astimezone(schedule.time_zone).date() + dt.timedelta(days=1):
        opened += [(us(a), us(b)) for a, b in schedule.open_intervals(day)]
        day += dt.timedelta(days=1)
    opened.sort()
    cursor, stop = us(first) // DAY_US * DAY_US, (us(last) // DAY_US + 1) * DAY_US
    spans: list[tuple[int, int, int]] = []
    for opens, closes in opened:
        a, b = max(opens, cursor), min(closes, stop)
        if b <= a:
            continue
        if a > cursor:
            spans.append((cursor, a, 0))
        spans.append((a, b, 1))
        cursor = b
    if cursor < stop:
        spans.append((cursor, stop, 0))
    segments: list[tuple[int, ...]] = []
    pieces: list[tuple[int, ...]] = []
    cum = 0
    for a, b, is_open in spans:
        at = a
        while at < b:  # cut at UTC midnights
            upto = min(b, (at // DAY_US + 1) * DAY_US)
            segments.append((at // DAY_US, at, upto, cum if not is_open else cum + (at - a), is_open))
            at = upto
        if is_open:
            at, position = a, cum
            while position < cum + (b - a):  # cut at every OPEN_DAY_US of open time
                upto = min(cum + (b - a), (position // OPEN_DAY_US + 1) * OPEN_DAY_US)
                pieces.append((position // OPEN_DAY_US, at, position, upto))
                at += upto - position
                position = upto
            cum += b - a
    return segments, pieces
