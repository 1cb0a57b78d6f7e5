"""Day effects of holidays and peaks, learned from history as ratios to an ordinary-day baseline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.calendar import PeakCalendar

# Ordinary days compared with a special day: the same weekday this many weeks before and after.
_BASELINE_WEEKS = (1, 2, 3)


@dataclass(frozen=True)
class DayEffects:
    """Multipliers on the ordinary-day volume, per special key, plus one for holidays never seen before."""

    by_key: dict[str, float]
    unseen_holiday: float
    calendar: PeakCalendar

    def multiplier(self, keys: list[str]) -> float:
        """Return the volume multiplier of a day with these special keys (1.0 for none).

        A holiday takes its own learned effect, or else the effect of holidays in general, and overrides
        peak windows (a closed day stays closed). Peak keys multiply: learned, else configured, else 1.
        """
        holiday_keys = [key for key in keys if key.startswith("holiday:")]
        if holiday_keys:
            return float(min(self.by_key.get(key, self.unseen_holiday) for key in holiday_keys))
        result = 1.0
        for key in keys:
            learned = self.by_key.get(key)
            configured = self.calendar.configured_uplift(key)
            result *= learned if learned is not None else (configured if configured is not None else 1.0)
        return result


def ordinary_baseline(daily: pd.Series, special: set[dt.date]) -> pd.Series:
    """Return for each day the median volume of the same weekday 1-3 weeks around it, ordinary days only.

    NaN where no such day exists. Learned per weekday, so any working week (Sunday-Thursday too) works.
    """
    ordinary = daily.copy()
    ordinary[[day in special for day in daily.index.date]] = np.nan
    neighbours = [ordinary.shift(sign * weeks * 7) for weeks in _BASELINE_WEEKS for sign in (1, -1)]
    return pd.concat(neighbours, axis=1).median(axis=1, skipna=True)


def learn_day_effects(daily: pd.Series, calendar: PeakCalendar) -> tuple[DayEffects, pd.Series]:
    """Return the learned effects and the daily series with special days replaced by their baseline.

    `daily` is indexed by day (a regular daily DatetimeIndex). Effects are medians of actual/baseline
    over the occurrences in the history; the cleaned series lets models learn ordinary patterns.
    """
    keys_by_date = calendar.keys_by_date(daily.index.date)
    special = set(keys_by_date)
    baseline = ordinary_baseline(daily, special)
    ratios: dict[str, list[float]] = {}
    holiday_ratios: list[float] = []
    cleaned = daily.copy()
    for stamp, value in daily.items():
        day = pd.Timestamp(stamp).date()
        keys = keys_by_date.get(day)
        if not keys:
            continue
        base = baseline.get(stamp)
        if base is None or not np.isfinite(base) or base <= 0:
            continue
        ratio = float(value) / float(base)
        cleaned[stamp] = base
        for key in keys:
            ratios.setdefault(key, []).append(ratio)
        if any(key.startswith("holiday:") for key in keys):
            holiday_ratios.append(ratio)
    by_key = {key: float(np.median(values)) for key, values in ratios.items()}
    unseen = float(np.median(holiday_ratios)) if holiday_ratios else 1.0
    return DayEffects(by_key=by_key, unseen_holiday=unseen, calendar=calendar), cleaned


def day_multipliers(days: pd.DatetimeIndex, effects: DayEffects) -> pd.Series:
    """Return the multiplier for each given day (normalised timestamps)."""
    keys_by_date = effects.calendar.keys_by_date(days.date)
    return pd.Series([effects.multiplier(keys_by_date.get(day, [])) for day in days.date], index=days, dtype=float)
