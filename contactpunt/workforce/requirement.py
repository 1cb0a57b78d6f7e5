"""The required agents per queue and quarter hour for a range of local days: forecast x handle time x Erlang.

History comes from the contact event log (contacts entering each queue, `kpis.facts`), the forecast from the
product's forecaster with the configured peak calendar, the handle time from the same history, and the
agents from Erlang C at the queue's service-level norm (written channels: workload over the interval).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from contactpunt.contacts.business_hours import schedule_for
from contactpunt.contacts.models import Channel, Queue
from contactpunt.kpis.facts import CONTACT, Unit, load_units
from contactpunt.kpis.intervals import INTERVAL, day_bounds, local_midnight
from contactpunt.workforce.erlang import required_agents
from contactpunt.workforce.forecasting import Forecaster
from contactpunt.workforce.forecasting.handle_time import forecast_handle_time
from contactpunt.workforce.peaks import peak_calendar

HISTORY_WEEKS = 8
INTERVAL_S = int(INTERVAL.total_seconds())
DEFAULT_AHT_S = 300.0
# Written contacts that arrive while the queue is closed are worked off over its first two open hours.
CARRY_INTERVALS = 8


@dataclass(frozen=True)
class IntervalNeed:
    """One queue x interval of the plan's input: forecast volume, handle time and the agents they need."""

    start: dt.datetime
    queue: str
    volume: float
    aht_s: float
    required: int
    lower: float | None = None
    upper: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "queue": self.queue, "volume": round(self.volume, 3),
                "aht_s": round(self.aht_s, 1), "required": self.required,
                "lower": None if self.lower is None else round(self.lower, 3),
                "upper": None if self.upper is None else round(self.upper, 3)}  # fmt: skip


def grid(first_day: dt.date, days: int, zone: ZoneInfo) -> list[dt.datetime]:
    """Return the UTC starts of every quarter hour of the local days [first_day, first_day + days)."""
    start, end = day_bounds(first_day, first_day + dt.timedelta(days=days - 1), zone)
    count = int((end - start) / INTERVAL)
    return [start + n * INTERVAL for n in range(count)]


def staff(volume: float, aht_s: float, queue: Queue) -> int:
    """Agents one quarter hour needs: Erlang C at the queue's norm, or the workload for written channels."""
    if volume <= 0:
        return 0
    if queue.channel not in Channel.realtime():
        return math.ceil(volume * aht_s / INTERVAL_S - 1e-9)
    return required_agents(
        volume=volume,
        interval_s=INTERVAL_S,
        aht_s=aht_s,
        threshold_s=queue.sl_threshold_s,
        target_service_level=float(queue.sl_target),
    ).agents


def open_flags(queue: Queue, starts: Sequence[dt.datetime]) -> list[bool]:
    """Whether the queue is open at each interval start (no calendar: always open)."""
    if queue.calendar_id is None:
        return [True] * len(starts)
    schedule = schedule_for(queue.calendar)
    days = {start.astimezone(schedule.time_zone).date() for start in starts}
    windows = [window for day in sorted(days) for window in schedule.open_intervals(day)]
    return [any(opens <= start < closes for opens, closes in windows) for start in starts]


def carried_workload(
    volumes: Sequence[float], is_open: Sequence[bool], *, spread: int = CARRY_INTERVALS
) -> list[float]:
    """Return the written contacts to work per interval: what arrives while open, plus what arrived while
    closed spread evenly over the next `spread` open intervals (nobody answers e-mail at night)."""
    work = [volume if open_ else 0.0 for volume, open_ in zip(volumes, is_open, strict=True)]
    carried = 0.0
    for n, (volume, open_) in enumerate(zip(volumes, is_open, strict=True)):
        if not open_:
            carried += volume
            continue
        if carried:
            following = [m for m in range(n, len(work)) if is_open[m]][:spread]
            for m in following:
                work[m] += carried / len(following)
            carried = 0.0
    return work


def history_units(end: dt.datetime) -> list[Unit]:
    """The contacts that entered any queue in the weeks before `end` (one read for every queue of a plan)."""
    return load_units(end - dt.timedelta(weeks=HISTORY_WEEKS), end, level=CONTACT)


def history(
    queue: Queue, end: dt.datetime, zone: ZoneInfo, *, units: Sequence[Unit] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return offered, handled and handle seconds per local quarter hour over the weeks before `end`."""
    start = end - dt.timedelta(weeks=HISTORY_WEEKS)
    units = [u for u in (history_units(end) if units is None else units) if u.queue_id == queue.pk]
    index = pd.date_range(
        start.astimezone(zone).replace(tzinfo=None), end.astimezone(zone).replace(tzinfo=None), freq="15min",
        inclusive="left",
    )  # fmt: skip
    if not units:
        return pd.Series(0.0, index=index), pd.Series(0.0, index=index), pd.Series(0.0, index=index)
    # Counted with numpy over the local quarter hours, not a pandas assignment per contact (seconds per queue on
    # the demo's weeks of history).
    queued = pd.DatetimeIndex([unit.queued_at for unit in units]).tz_convert(zone).tz_localize(None).floor("15min")
    positions = index.get_indexer(queued)
    inside = positions >= 0
    handled_mask = inside & np.array([unit.is_handled for unit in units], dtype=bool)
    handle_s = np.array([unit.handle_s for unit in units], dtype=float)
    size = len(index)
    offered = np.bincount(positions[inside], minlength=size).astype(float)
    handled = np.bincount(positions[handled_mask], minlength=size).astype(float)
    seconds = np.bincount(positions[handled_mask], weights=handle_s[handled_mask], minlength=size)
    return pd.Series(offered, index=index), pd.Series(handled, index=index), pd.Series(seconds, index=index)


def forecast_needs(
    queue: Queue,
    first_day: dt.date,
    days: int,
    zone: ZoneInfo,
    *,
    forecaster: Forecaster | None = None,
    units: Sequence[Unit] | None = None,
) -> list[IntervalNeed]:
    """Forecast the queue's quarter hours of the local days [first_day, first_day + days) and staff them.

    The history ends at the start of `first_day`. Without a week of history every interval needs nobody.
    """
    starts = grid(first_day, days, zone)
    end = local_midnight(first_day, zone)
    offered, handled, seconds = history(queue, end, zone, units=units)
    first_seen = offered[offered > 0].index.min() if offered.sum() > 0 else None
    if first_seen is None or offered.index[-1] - first_seen < pd.Timedelta(days=7):
        return [IntervalNeed(s, queue.code, 0.0, DEFAULT_AHT_S, 0) for s in starts]
    series = offered[offered.index >= first_seen.normalize()]
    local_starts = [s.astimezone(zone).replace(tzinfo=None) for s in starts]
    steps = int((pd.Timestamp(local_starts[-1]) - series.index[-1]) / pd.Timedelta(minutes=15))
    model = forecaster or Forecaster(calendar=peak_calendar())
    forecast = model.fit_predict(series, INTERVAL_S, steps)
    by_time = {ts: i for i, ts in enumerate(forecast.index)}
    future = pd.DatetimeIndex([pd.Timestamp(t) for t in local_starts])
    try:
        aht = forecast_handle_time(handled, seconds, future, INTERVAL_S)
    except ValueError:
        aht = np.full(len(future), DEFAULT_AHT_S)
    positions = [by_time.get(local) for local in future]
    volumes = [float(forecast.mean[p]) if p is not None else 0.0 for p in positions]
    is_open = open_flags(queue, starts)
    # Nobody is needed while the queue is closed; written contacts of the closed hours wait for the opening.
    work = carried_workload(volumes, is_open) if queue.channel not in Channel.realtime() else volumes
    needs = []
    for start, position, volume, load, open_, handle in zip(starts, positions, volumes, work, is_open, aht,
                                                             strict=True):  # fmt: skip
        lower = float(forecast.lower[position]) if position is not None else None
        upper = float(forecast.upper[position]) if position is not None else None
        required = staff(load, float(handle), queue) if open_ else 0
        needs.append(IntervalNeed(start, queue.code, volume, float(handle), required, lower, upper))
    return needs


def needs_from_json(rows: Sequence[dict[str, object]]) -> list[IntervalNeed]:
    """Read back the rows stored on a ShiftPlan."""
    return [
        IntervalNeed(dt.datetime.fromisoformat(str(r["start"])), str(r["queue"]), float(str(r["volume"])),
                     float(str(r["aht_s"])), int(str(r["required"])),
                     None if r.get("lower") is None else float(str(r["lower"])),
                     None if r.get("upper") is None else float(str(r["upper"])))
        for r in rows
    ]  # fmt: skip
