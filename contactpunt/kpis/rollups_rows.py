"""The definition of the rollup rows: the additive parts of the queue figures folded from units (`facts.Unit`) per
interval, or per local day, x level x queue x channel x team. The set-based rebuild (`rollups_sql`, `rollups_days`)
writes the same rows without a Python object per contact; the tests hold the two equal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

from contactpunt.contacts.models import Queue
from contactpunt.kpis.facts import Unit
from contactpunt.kpis.intervals import interval_start
from contactpunt.kpis.models import DayRollup, IntervalRollup, RollupParts

STANDARD_THRESHOLDS = (10, 15, 20, 30, 45, 60, 90, 120, 180, 300)
HISTOGRAM_EDGES = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600)
_OVER = "inf"

Row = TypeVar("Row", bound=RollupParts)


class NotInRollups(ValueError):
    """The rollups cannot answer this question; compute it from the events."""


def thresholds() -> list[int]:
    """The thresholds answered-within counts are kept for: the standard ones and every queue's own."""
    own = set(Queue.objects.values_list("sl_threshold_s", flat=True))
    return sorted(set(STANDARD_THRESHOLDS) | own)


def bucket(wait_s: float) -> str:
    """The histogram bucket of a wait: the smallest edge it does not exceed, or "inf"."""
    for edge in HISTOGRAM_EDGES:
        if wait_s <= edge:
            return str(edge)
    return _OVER


def rows_for(units: Iterable[Unit], limits: Sequence[int]) -> list[IntervalRollup]:
    """Fold units into rollup rows (not saved), keyed by interval, level, queue, channel and team."""
    return _fold(units, limits, lambda u: interval_start(u.queued_at),
                 lambda at, **key: IntervalRollup(start=at, **key))  # fmt: skip


def day_rows_for(units: Iterable[Unit], limits: Sequence[int], zone: ZoneInfo) -> list[DayRollup]:
    """Fold units into day rollup rows (not saved), keyed by the local day in `zone` they entered the queue on."""
    return _fold(units, limits, lambda u: u.queued_at.astimezone(zone).date(),
                 lambda day, **key: DayRollup(day=day, **key))  # fmt: skip


def _fold(
    units: Iterable[Unit],
    limits: Sequence[int],
    moment: Callable[[Unit], dt.datetime | dt.date],
    make: Callable[..., Row],
) -> list[Row]:
    rows: dict[tuple[dt.datetime | dt.date, str, int, str, int | None], Row] = {}
    for u in units:
        key = (moment(u), u.level, u.queue_id, u.channel, u.team_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = make(key[0], level=u.level, queue_id=u.queue_id, channel=u.channel, team_id=u.team_id,
                                   answered_within=dict.fromkeys(map(str, limits), 0), wait_histogram={})  # fmt: skip
        row.offered += 1
        wait = u.wait_s
        if u.outcome == "answered" and wait is not None:
            row.answered += 1
            row.wait_answered_s += wait
            row.answered_within_sl += wait <= u.sl_threshold_s
            for limit in limits:
                if wait <= limit:
                    row.answered_within[str(limit)] += 1
            label = bucket(wait)
            row.wait_histogram[label] = row.wait_histogram.get(label, 0) + 1
        elif u.outcome == "abandoned":
            row.abandoned += 1
            row.short_abandons += u.is_short_abandon
        elif u.outcome == "waiting":
            row.waiting += 1
        if u.is_handled:
            row.handled += 1
            row.transferred += u.is_transferred
            row.talk_s += u.talk_s
            row.hold_s += u.hold_s
            row.wrap_s += u.wrap_s
    return list(rows.values())
