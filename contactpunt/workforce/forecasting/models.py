"""Candidate models. Each forecasts whole days (rows of intervals) from a prepared history.

Every model finds the days it learns from by date: the same weekday's recent observed days, skipping
the days that were missing (their neighbours stand in). Calendar models learn from the history with
its special days made ordinary and get the day effects applied by the forecaster afterwards; the two
plain baselines (seasonal naive, same-slot mean of the last four weeks) read the observed days as they
were and ignore the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.calendar import PeakCalendar
from contactpunt.workforce.forecasting.days import DayTable
from contactpunt.workforce.forecasting.effects import DayEffects, learn_day_effects

# Observed days the daily-level model trains on, and same-weekday days its intraday profile averages.
_DAILY_TRAINING_DAYS = 26 * 7
_PROFILE_DAYS = 8


@dataclass(frozen=True)
class Prepared:
    """A history ready for the models: its table, effects, and two day-by-interval views of it.

    `raw` has NaN rows where a day was not observed; `reference` also has NaN rows on holidays and
    divides peak days by their learned effect, so it shows ordinary days only.
    """

    table: DayTable
    effects: DayEffects
    raw: np.ndarray
    reference: np.ndarray
    open_weekdays: frozenset[int]

    def rows_of(self, matrix: np.ndarray, weekday: int) -> np.ndarray:
        """Return the row numbers of the observed days of a weekday in `matrix`, oldest first."""
        usable = ~np.isnan(matrix[:, 0]) & (self.table.weekdays == weekday)
        return np.nonzero(usable)[0]


def prepare(table: DayTable, calendar: PeakCalendar) -> Prepared:
    """Return the prepared history: effects learned, special days taken out of the reference view."""
    effects, factor = learn_day_effects(table, calendar)
    raw = table.masked()
    with np.errstate(invalid="ignore", divide="ignore"):
        reference = raw / factor[:, None]
    reference[~np.isfinite(reference)] = np.nan
    return Prepared(table, effects, raw, reference, table.open_weekdays())


class SlotAverage:
    """The same interval on the last `days` observed days of the same weekday: mean, median or a
    weighted mean (weights halving every `half_life` days back).

    With `weeks=True` the days are those of the last `days` weeks before the first forecast day (fewer
    when some were missing or holidays; the last observed one when none was left). With `days=1` and no
    calendar this is the seasonal naive; with `days=4`, weeks and no calendar the same-slot mean of the
    last four weeks, by timestamp, as the reports measure it. A weekday never observed gets zeros.
    """

    def __init__(
        self,
        name: str,
        days: int,
        *,
        how: Literal["mean", "median", "weighted"] = "mean",
        calendar: bool = True,
        half_life: float = 2.0,
        weeks: bool = False,
    ) -> None:
        self.name = name
        self.days = days
        self.how = how
        self.uses_calendar = calendar
        self.half_life = half_life
        self.weeks = weeks

    def predict(self, prepared: Prepared, future_days: pd.DatetimeIndex) -> np.ndarray:
        matrix = prepared.reference if self.uses_calendar else prepared.raw
        since = future_days[0] - pd.Timedelta(days=7 * self.days)
        by_weekday: dict[int, np.ndarray] = {}
        for weekday in range(7):
            rows = prepared.rows_of(matrix, weekday)
            if self.weeks:
                recent = rows[prepared.table.days[rows] >= since]
                rows = recent if len(recent) else rows[-1:]
            else:
                rows = rows[-self.days :]
            if len(rows) == 0:
                by_weekday[weekday] = np.zeros(matrix.shape[1])
            elif self.how == "median":
                by_weekday[weekday] = np.median(matrix[rows], axis=0)
            elif self.how == "weighted":
                weights = 0.5 ** (np.arange(len(rows))[::-1] / self.half_life)
                by_weekday[weekday] = weights @ matrix[rows] / weights.sum()
            else:
                by_weekday[weekday] = matrix[rows].mean(axis=0)
        return np.vstack([by_weekday[day.day_of_week] for day in future_days])


def _damped_level(values: np.ndarray, steps: int) -> np.ndarray:
    """Return a damped-trend (Holt) forecast of a deseasonalised series, its smoothing chosen from a small
    grid by one-step-ahead squared error; the recent mean when the series is short."""
    if len(values) < 21:
        return np.full(steps, float(values[-7:].mean()))
    damping = 0.9
    best: tuple[float, float, float] | None = None
    for alpha in (0.05, 0.1, 0.2, 0.35):
        for beta in (0.0, 0.02, 0.1):
            level, trend, error = float(values[:7].mean()), 0.0, 0.0
            for value in values[7:]:
                predicted = level + damping * trend
                error += (value - predicted) ** 2
                new_level = predicted + alpha * (value - predicted)
                trend = damping * trend + beta * (new_level - level - damping * trend)
                level = new_level
            if best is None or error < best[0]:
                best = (error, level, trend)
    assert best is not None
    _, level, trend = best
    factors = np.cumsum(damping ** np.arange(1, steps + 1))
    return level + trend * factors


class DailyTimesProfile:
    """Daily volume times a per-weekday intraday profile, the usual contact-centre method.

    The daily totals of the observed ordinary days, divided by their weekday's factor, form one series
    of open days (a missing day is skipped, not a zero and not a shift of the week); a damped-trend ETS
    carries its level forward (damped Holt). The profile is the volume-weighted share of each interval over the
    weekday's last eight observed ordinary days.
    """

    name = "daily_x_profile"
    uses_calendar = True

    def predict(self, prepared: Prepared, future_days: pd.DatetimeIndex) -> np.ndarray:
        matrix = prepared.reference
        spd = matrix.shape[1]
        rows = np.nonzero(~np.isnan(matrix[:, 0]))[0][-_DAILY_TRAINING_DAYS:]
        result = np.zeros((len(future_days), spd))
        if len(rows) == 0:
            return result
        totals = matrix[rows].sum(axis=1)
        weekdays = prepared.table.weekdays[rows]
        level_of = {w: float(totals[weekdays == w][-_PROFILE_DAYS:].mean()) for w in set(weekdays.tolist())}
        overall = float(np.mean(list(level_of.values())))
        if overall <= 0:
            return result
        factor = {w: level / overall for w, level in level_of.items()}
        deseasonalised = totals / np.array([max(factor[w], 1e-9) for w in weekdays])
        last_day = prepared.table.days[rows[-1]]
        open_days = sorted(prepared.open_weekdays | set(level_of))
        ahead = [
            int(np.isin(pd.date_range(last_day + pd.Timedelta(days=1), day, freq="D").day_of_week, open_days).sum())
            for day in future_days
        ]
        level = _damped_level(deseasonalised, max(1, *ahead))
        for n, day in enumerate(future_days):
            weekday = day.day_of_week
            if weekday not in factor or ahead[n] == 0:
                continue
            recent = matrix[prepared.rows_of(matrix, weekday)[-_PROFILE_DAYS:]].sum(axis=0)
            if recent.sum() <= 0:
                continue
            result[n] = max(0.0, level[ahead[n] - 1]) * factor[weekday] * recent / recent.sum()
        return result


class LevelTimesProfile:
    """A weekday's daily total from its last `level_days` observed days, spread by its intraday profile
    over the last `profile_days` (smoothed over neighbouring intervals): less noise per interval than a
    same-slot mean, the level still recent."""

    uses_calendar = True

    def __init__(self, name: str, level_days: int, profile_days: int) -> None:
        self.name = name
        self.level_days = level_days
        self.profile_days = profile_days

    def predict(self, prepared: Prepared, future_days: pd.DatetimeIndex) -> np.ndarray:
        matrix = prepared.reference
        spd = matrix.shape[1]
        kernel = np.array([1.0, 2.0, 3.0, 2.0, 1.0]) if spd >= 48 else np.array([1.0])
        by_weekday: dict[int, np.ndarray] = {}
        for weekday in range(7):
            rows = prepared.rows_of(matrix, weekday)
            volume = matrix[rows[-self.profile_days :]].sum(axis=0) if len(rows) else np.zeros(spd)
            if volume.sum() <= 0:
                by_weekday[weekday] = np.zeros(spd)
                continue
            open_slots = volume > 0
            smooth = np.convolve(volume, kernel, mode="same") / np.convolve(np.ones(spd), kernel, mode="same")
            smooth = np.where(open_slots, smooth, 0.0)
            level = float(matrix[rows[-self.level_days :]].sum(axis=1).mean())
            by_weekday[weekday] = level * smooth / smooth.sum()
        return np.vstack([by_weekday[day.day_of_week] for day in future_days])


Model = SlotAverage | DailyTimesProfile | LevelTimesProfile

#: The plain baselines every choice is measured against.
BASELINES = ("seasonal_naive", "slot_mean_4w")
#: The same two with the calendar (holidays and peaks taken out of the history, their effects put back on the
#: forecast days): what a model must clearly beat to be chosen, so that weeks of holidays in the backtest
#: (which the plain baselines cannot know) do not make a complex model look better than it is on ordinary weeks.
CALENDAR_BASELINES = ("seasonal_naive+calendar", "slot_mean_4w+calendar")


def candidates() -> list[Model]:
    """Return the candidate models; the plain baselines are always among them."""
    return [
        SlotAverage("slot_mean_4w+calendar", 4, weeks=True),
        SlotAverage("slot_mean_4days+calendar", 4),
        SlotAverage("slot_mean_8w+calendar", 8),
        SlotAverage("slot_median_8w+calendar", 8, how="median"),
        SlotAverage("slot_weighted_12w+calendar", 12, how="weighted"),
        SlotAverage("seasonal_naive+calendar", 1),
        DailyTimesProfile(),
        LevelTimesProfile("level_4w_x_profile_8w", 4, 8),
        LevelTimesProfile("level_2w_x_profile_12w", 2, 12),
        SlotAverage("slot_mean_4w", 4, calendar=False, weeks=True),
        SlotAverage("seasonal_naive", 1, calendar=False),
    ]
