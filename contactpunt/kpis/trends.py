"""Trends: each group's figures of a period beside the period before, for the manager page, its export and
`contactpunt kpis --compare`, so all three show the same change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import interval_start


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One group's figures now (`figures`, the report's row) and the change of each compared figure against the
    period before (`change`: None when either period has no value, e.g. a group that did not exist before)."""

    group: str
    figures: dict[str, Any]
    previous: dict[str, Any]
    change: dict[str, float | None]


def previous_days(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The same number of local days just before `first`..`last`."""
    length = last - first + dt.timedelta(days=1)
    return first - length, first - dt.timedelta(days=1)


def previous_until(
    start: dt.datetime, end: dt.datetime, previous_start: dt.datetime, previous_end: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """Where the period before ends for the comparison: at its end when the current period is over (or has not
    begun), else as far into it as `now` is into the current one, so that a Monday morning is compared with last
    Monday morning and not with a whole week (every figure of a week just begun read as falling). To the quarter
    hour before: the rollups' intervals and the stored days then answer for it, not the events."""
    if start < now < end:
        return min(previous_end, interval_start(previous_start + (now - start)))
    return previous_end


def change(now: object, before: object) -> float | None:
    """now - before when both are numbers (a bool is not), else None."""
    numbers = (int, float)
    if isinstance(now, numbers) and isinstance(before, numbers) and not isinstance(now, bool):
        return float(now) - float(before)
    return None


def compare(
    current: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]], keys: Sequence[str]
) -> list[TrendRow]:
    """Each current row beside the previous period's row of the same group."""
    before = {row["group"]: row for row in previous}
    rows = []
    for row in current:
        earlier = before.get(row["group"], {})
        rows.append(TrendRow(row["group"], row, earlier, {key: change(row.get(key), earlier.get(key)) for key in keys}))
    return rows


def trends(
    start: dt.datetime,
    end: dt.datetime,
    previous_start: dt.datetime,
    previous_end: dt.datetime,
    *,
    by: str | None,
    zone: ZoneInfo,
    keys: Sequence[str],
) -> list[TrendRow]:
    """The report of `start`..`end` per `by`, each row with its change against `previous_start`..`previous_end`."""
    with_backlog = bool({"backlog", "oldest_backlog_age_s"} & set(keys))  # the backlog's query only when shown
    current = rollups.report(start, end, by=by, zone=zone, with_backlog=with_backlog)
    previous = rollups.report(previous_start, previous_end, by=by, zone=zone, with_backlog=with_backlog)
    return compare(current, previous, keys)
