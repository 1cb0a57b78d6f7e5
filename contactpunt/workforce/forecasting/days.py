"""The history as a table of days by intervals, placed by timestamp, and the operating week learned from it.

Every model reads the history through this table, never by position: a day is a row found from its date,
an interval a column found from its wall-clock time. A day without volume is not observed: on a weekday
the centre usually keeps closed it is closed, on a weekday it usually opens it is missing (a holiday, an
export gap), and neither counts as a day of zero demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

# The open weekdays are learned from this many recent weeks (all of them when the history is shorter).
_OPEN_LOOKBACK_WEEKS = 12
# A weekday is open when at least this share of its recent days had volume.
_OPEN_SHARE = 0.5


@dataclass(frozen=True)
class DayTable:
    """Counts per calendar day (rows, every day from the first to the last complete one) and interval.

    `observed` marks the days with volume; rows of other days hold zeros and must not be read as demand.
    """

    days: pd.DatetimeIndex
    values: np.ndarray
    observed: np.ndarray
    interval_s: int

    @property
    def slots_per_day(self) -> int:
        """Intervals in a day."""
        return int(self.values.shape[1])

    @cached_property
    def weekdays(self) -> np.ndarray:
        """The weekday of each row (Monday 0); computed once per table (the models read it per weekday)."""
        return np.asarray(self.days.day_of_week)

    def head(self, count: int) -> DayTable:
        """Return the table of the first `count` days (the history at an earlier origin)."""
        return DayTable(self.days[:count], self.values[:count], self.observed[:count], self.interval_s)

    def open_weekdays(self) -> frozenset[int]:
        """Return the weekdays the centre opens, learned from its recent weeks (5, 6 or 7 days, any of them)."""
        recent = slice(max(0, len(self.days) - 7 * _OPEN_LOOKBACK_WEEKS), None)
        weekdays, observed = self.weekdays[recent], self.observed[recent]
        result = set()
        for weekday in range(7):
            mask = weekdays == weekday
            if mask.any() and observed[mask].mean() >= _OPEN_SHARE:
                result.add(weekday)
        return frozenset(result)

    def masked(self) -> np.ndarray:
        """Return the values with NaN rows for the days that were not observed."""
        result = self.values.astype(float).copy()
        result[~self.observed] = np.nan
        return result


def slot_of(index: pd.DatetimeIndex, interval_s: int) -> np.ndarray:
    """Return the interval of the day each timestamp falls in, by wall-clock time."""
    seconds = np.asarray(index.hour * 3600 + index.minute * 60 + index.second)
    return np.asarray(np.minimum(seconds // interval_s, 86400 // interval_s - 1))


def day_table(series: pd.Series, interval_s: int) -> DayTable:
    """Return the table of a history indexed by interval start (gaps allowed; absent intervals count 0).

    A last day the history stops in before the hour its recent days' volume ended is left out (its total
    would look low); the forecast then covers it.
    """
    if interval_s <= 0 or 86400 % interval_s:
        raise ValueError("the interval must divide a day")
    index = pd.DatetimeIndex(series.index)
    if len(index) == 0:
        raise ValueError("history is empty")
    first_day = index.min().normalize()
    last_day = index.max().normalize()
    days = pd.date_range(first_day, last_day, freq="D")
    spd = 86400 // interval_s
    row = np.asarray((index.normalize() - first_day).days)
    values = np.zeros((len(days), spd))
    np.add.at(values, (row, slot_of(index, interval_s)), series.to_numpy(dtype=float))
    observed = values.sum(axis=1) > 0
    before = values[max(0, len(days) - 8) : -1]
    busy = np.nonzero(before.sum(axis=0) > 0)[0]
    last_slot = int(slot_of(pd.DatetimeIndex([index.max()]), interval_s)[0])
    if len(days) > 1 and len(busy) and last_slot < busy[-1]:
        days, values, observed = days[:-1], values[:-1], observed[:-1]
    return DayTable(days, values, observed, interval_s)
