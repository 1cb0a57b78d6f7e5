"""A history made ready for the models: a regular grid, day-by-slot view, and special days cleaned."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.calendar import PeakCalendar
from contactpunt.workforce.forecasting.effects import DayEffects, learn_day_effects


@dataclass(frozen=True)
class Prepared:
    """A regular history, the same with special days replaced by ordinary ones, and the learned effects."""

    series: pd.Series
    cleaned: pd.Series
    interval_s: int
    effects: DayEffects

    @property
    def slots_per_day(self) -> int:
        """Intervals in a (non-DST) day."""
        return 86400 // self.interval_s

    @property
    def slots_per_week(self) -> int:
        """Intervals in a week."""
        return 7 * self.slots_per_day

    def future_index(self, steps: int) -> pd.DatetimeIndex:
        """Return the `steps` interval starts that follow the history."""
        step = pd.Timedelta(seconds=self.interval_s)
        return pd.date_range(self.series.index[-1] + step, periods=steps, freq=step)


def day_matrix(series: pd.Series, interval_s: int) -> pd.DataFrame:
    """Return a day-by-slot table of the series (NaN where the grid has no value for a day's slot)."""
    index = pd.DatetimeIndex(series.index)
    slot = (index.hour * 3600 + index.minute * 60 + index.second) // interval_s
    frame = pd.DataFrame({"day": index.normalize(), "slot": slot, "value": series.to_numpy()})
    return frame.pivot_table(index="day", columns="slot", values="value", aggfunc="sum").reindex(
        columns=range(86400 // interval_s)
    )


def prepare(series: pd.Series, interval_s: int, calendar: PeakCalendar) -> Prepared:
    """Return the prepared history: effects learned from the daily totals, special days cleaned.

    A special day's intervals are replaced by the average intraday shape of the ordinary same-weekday
    days around it, scaled to the ordinary-day baseline, so models see an ordinary week.
    """
    daily = series.resample("D").sum()
    effects, cleaned_daily = learn_day_effects(daily, calendar)
    changed = cleaned_daily.index[(cleaned_daily != daily).to_numpy()]
    if len(changed) == 0:
        return Prepared(series, series, interval_s, effects)
    matrix = day_matrix(series, interval_s)
    special = set(changed)
    cleaned = series.copy()
    slots = series.index.normalize()
    for day in changed:
        neighbours = [
            day + pd.Timedelta(days=7 * weeks * sign)
            for weeks in (1, 2, 3)
            for sign in (1, -1)
            if day + pd.Timedelta(days=7 * weeks * sign) in matrix.index
            and day + pd.Timedelta(days=7 * weeks * sign) not in special
        ]
        if not neighbours:
            continue
        shape = matrix.loc[neighbours].mean(axis=0, skipna=True).fillna(0.0).to_numpy()
        total = shape.sum()
        if total <= 0:
            continue
        mask = slots == day
        day_slots = ((series.index[mask].hour * 3600 + series.index[mask].minute * 60) // interval_s).to_numpy()
        cleaned[mask] = shape[np.clip(day_slots, 0, len(shape) - 1)] / total * float(cleaned_daily[day])
    return Prepared(series, cleaned, interval_s, effects)
