"""Day effects of holidays and peaks, learned from the history as ratios to an ordinary-day baseline.

A holiday's effect is its own ratio (a holiday the centre was closed on, missing from the history, has
ratio 0), else the median of the holidays seen. A peak type (a rule or a one-off date) has one lift, its
peak-day multiplier; the other days of its window ramp from 1 at the edges to it (`PeakCalendar.ramp`).
The lift is a least-squares fit over every day of its windows in the history, shrunk towards the
configured uplift; how much history backs it sets how wide the band stays around it. A fit the history
cannot tell from the prior (within three standard errors, from the day-to-day noise of ordinary days'
ratios) keeps the prior: a rule for another country's peaks, or one day at the edge of a window, learns no
effect from noise.

The configured holidays are checked against the history too (the country may be the wrong one):

- A holiday whose occurrences the history shows as ordinary days (its ratio within two standard errors of
  1, from the same noise) is an ordinary day of this centre, another country's holiday or one it works
  through: it stays in the history and has no effect on the forecast.
- Days missing on a weekday the centre otherwise opens are its own closed days; their neighbours are the
  reference, as for any day not observed. One that no configured holiday explains marks its calendar date,
  and when that date recurs in the forecast the centre is closed on it again, as a planner who saw it shut
  on that date last year expects; the latest occurrence of the date decides (`_closed_dates`). A missing
  configured holiday recurs by its name instead (a moving holiday keeps its ratio 0 on its new date).
- A day the history shows nearly closed (under a quarter of its ordinary days), with no holiday configured
  on it, is a holiday of the centre's own country: left out of the history like one (`_unknown_holidays`),
  without an effect on the forecast (such holidays move, as Easter or the Jewish holidays do).
- A holiday with no occurrence in the history keeps its prior, the median of the holidays seen.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from contactpunt.workforce.forecasting.calendar import PeakCalendar
from contactpunt.workforce.forecasting.days import DayTable

# Ordinary days compared with a special day: the same weekday this many weeks before and after.
_BASELINE_WEEKS = (1, 2, 3, 4)
# Weight of the configured uplift in the fit, in peak days of full ramp weight.
_PRIOR_WEIGHT = 0.5
# A peak's fit replaces its prior only when it differs from it by more than this many standard errors (three:
# a handful of rules, each with a few windows, are tested at once).
_SIGNIFICANCE = 3.0
# A configured holiday is an ordinary day for this centre when its ratio lies within this many standard errors
# of 1 (two: the holiday is the calendar's claim, so the history must look ordinary, not merely fail to differ).
_ORDINARY = 2.0
# Missing open days in a row that can be the centre's own holiday (longer: an export gap or a shutdown).
_CLOSED_RUN = 3
# An observed day below this share of its ordinary neighbours is nearly closed: a holiday the calendar does not
# know (a voice-response unit or a skeleton crew still takes a few contacts).
_UNKNOWN_DIP = 0.25


@dataclass(frozen=True)
class PeakLift:
    """A peak type's peak-day multiplier and how uncertain it is (1: a prior alone, towards 0: learned)."""

    lift: float
    uncertainty: float


@dataclass(frozen=True)
class DayEffects:
    """Multipliers on the ordinary-day volume: per holiday, per peak type, and for holidays never seen.

    `ordinary` holds the holidays the history shows as ordinary days (no effect), `closed_dates` the
    (month, day) dates the centre keeps closed by its own history (zero).
    """

    holidays: dict[str, float]
    unseen_holiday: float
    peaks: dict[str, PeakLift]
    calendar: PeakCalendar
    ordinary: frozenset[str] = frozenset()
    closed_dates: frozenset[tuple[int, int]] = frozenset()

    def lift(self, name: str) -> PeakLift:
        """Return the lift of a peak type: learned, else its configured uplift, else none."""
        if name in self.peaks:
            return self.peaks[name]
        configured = self.calendar.configured_uplift(name)
        return PeakLift(configured, 1.0) if configured is not None else PeakLift(1.0, 0.0)

    def factors(self, keys: list[str]) -> tuple[float, float, float]:
        """Return (expected, low, high) multipliers of a day with these special keys ((1, 1, 1) for none).

        A holiday overrides peak windows (a closed day stays closed); peak effects multiply.
        """
        holiday_keys = [key for key in keys if key.startswith("holiday:") and key not in self.ordinary]
        if holiday_keys:
            value = float(min(self.holidays.get(key, self.unseen_holiday) for key in holiday_keys))
            return value, value, value
        expected = low = high = 1.0
        for key in keys:
            peak = self.lift(key.rpartition(":")[0])
            step = (peak.lift - 1.0) * self.calendar.ramp(key)
            expected *= 1.0 + step
            low *= 1.0 + step * (1.0 - peak.uncertainty)
            high *= 1.0 + step * (1.0 + peak.uncertainty)
        return expected, min(low, high, expected), max(low, high, expected)

    def day_factors(self, days: Sequence[dt.date]) -> np.ndarray:
        """Return (expected, low, high) multipliers per day: the centre's own closed dates zero, else by keys."""
        keys = self.calendar.keys_by_date(days)
        rows = [
            (0.0, 0.0, 0.0) if (day.month, day.day) in self.closed_dates else self.factors(keys.get(day, []))
            for day in days
        ]
        return np.array(rows, dtype=float).reshape(len(rows), 3)

    def multiplier(self, keys: list[str]) -> float:
        """Return the expected multiplier of a day with these special keys."""
        return self.factors(keys)[0]


def _baseline(totals: np.ndarray, weekdays_usable: np.ndarray) -> np.ndarray:
    """Return for each day the median total of the usable same-weekday days 1-4 weeks around it."""
    usable = np.where(weekdays_usable, totals, np.nan)
    padded = np.full(len(totals) + 2 * 7 * max(_BASELINE_WEEKS), np.nan)
    pad = 7 * max(_BASELINE_WEEKS)
    padded[pad : pad + len(totals)] = usable
    neighbours = [
        padded[pad + sign * 7 * weeks : pad + sign * 7 * weeks + len(totals)]
        for weeks in _BASELINE_WEEKS
        for sign in (1, -1)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(np.vstack(neighbours), axis=0))


def learn_day_effects(table: DayTable, calendar: PeakCalendar) -> tuple[DayEffects, np.ndarray]:
    """Return the learned effects and each history day's factor (NaN for a holiday: not an ordinary day).

    Dividing an observed day by its factor gives the ordinary day it stands for.
    """
    keys_by_date = calendar.keys_by_date(table.days.date)
    keys = [keys_by_date.get(day, []) for day in table.days.date]
    is_special = np.array([bool(k) for k in keys])
    open_days = np.isin(table.weekdays, sorted(table.open_weekdays()))
    totals = table.values.sum(axis=1)
    baseline = _baseline(totals, table.observed & ~is_special)
    usable = open_days & np.isfinite(baseline) & (baseline > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Missing on a weekday the centre opens: closed, ratio 0.
        ratio = np.where(table.observed, totals / np.where(usable, baseline, 1.0), 0.0)
    noise = _ratio_noise(ratio[table.observed & ~is_special & usable])
    holiday_ratios: dict[str, list[float]] = {}
    for row, day_keys in enumerate(keys):
        for key in day_keys:
            if usable[row] and key.startswith("holiday:"):
                holiday_ratios.setdefault(key, []).append(float(ratio[row]))
    holidays = {key: float(np.median(values)) for key, values in holiday_ratios.items()}
    ordinary = frozenset(
        key
        for key, values in holiday_ratios.items()
        if abs(holidays[key] - 1.0) <= _ORDINARY * noise / np.sqrt(len(values))
    )
    every_holiday = [value for values in holiday_ratios.values() for value in values]
    unseen = float(np.median(every_holiday)) if every_holiday else 1.0
    active = [[key for key in day_keys if key not in ordinary] for day_keys in keys]
    is_holiday = np.array([any(key.startswith("holiday:") for key in day_keys) for day_keys in active])
    peak_rows = [
        (row, day_keys)
        for row, day_keys in enumerate(active)
        if day_keys and usable[row] and table.observed[row] and not is_holiday[row]
    ]
    peaks = _fit_peaks(peak_rows, totals, baseline, calendar, noise)
    closed = _closed_dates(table, is_holiday)
    effects = DayEffects(holidays, unseen, peaks, calendar, ordinary, closed)
    unknown = _unknown_holidays(table, ratio, usable & table.observed & ~np.array([bool(k) for k in active]), noise)
    factor = np.ones(len(table.days))
    for row, day_keys in enumerate(active):
        if is_holiday[row] or unknown[row]:
            factor[row] = np.nan
        elif day_keys:
            factor[row] = effects.multiplier(day_keys)
    return effects, factor


def _unknown_holidays(table: DayTable, ratio: np.ndarray, candidates: np.ndarray, noise: float) -> np.ndarray:
    """Return the days the history shows as holidays the calendar does not know: nearly closed (below
    `_UNKNOWN_DIP` of their ordinary same-weekday days, and more than `_SIGNIFICANCE` standard errors of noise
    below them), in a run of at most `_CLOSED_RUN` open days followed by an ordinary one (a lower level that
    lasts to the end is a change of level, as far as the history can tell, not a holiday)."""
    low = candidates & (ratio < min(_UNKNOWN_DIP, 1.0 - _SIGNIFICANCE * noise))
    result = np.zeros(len(ratio), dtype=bool)
    run: list[int] = []
    for row in np.nonzero(np.isin(table.weekdays, sorted(table.open_weekdays())) & table.observed)[0].tolist():
        if low[row]:
            run.append(row)
            continue
        if len(run) <= _CLOSED_RUN:
            result[run] = True
        run = []
    return result


def _closed_dates(table: DayTable, is_holiday: np.ndarray) -> frozenset[tuple[int, int]]:
    """Return the (month, day) dates the centre keeps closed by the history's own evidence.

    A day missing on a weekday the centre then opened (most of its same weekdays 1-4 weeks around it had
    volume), in a run of at most `_CLOSED_RUN` such days and not explained by a configured holiday, is the
    centre's closed day: a holiday of its own country. The latest occurrence of a date on such a weekday
    decides: missing, the date is closed when it recurs (a planner expects the centre shut on the date it
    was shut last year); observed, it is open. A longer gap is an export gap or a shutdown, not a holiday.
    """
    observed = table.observed
    count = len(observed)
    neighbours = np.zeros(count)
    seen = np.zeros(count)
    for weeks in _BASELINE_WEEKS:
        for shift in (7 * weeks, -7 * weeks):
            rows = np.arange(count) + shift
            inside = (rows >= 0) & (rows < count)
            neighbours[inside] += 1
            seen[inside] += observed[rows[inside]]
    open_then = (neighbours > 0) & (seen >= 0.5 * np.maximum(neighbours, 1))
    latest: dict[tuple[int, int], bool] = {}
    run: list[int] = []
    for row in [*np.nonzero(open_then)[0].tolist(), None]:
        if row is not None and not observed[row]:
            run.append(row)
            continue
        for missing in run if len(run) <= _CLOSED_RUN else ():
            if not is_holiday[missing]:
                day = table.days[missing]
                latest[(day.month, day.day)] = True
        run = []
        if row is not None:
            day = table.days[row]
            latest[(day.month, day.day)] = False
    return frozenset(date for date, closed in latest.items() if closed)


def _ratio_noise(ratios: np.ndarray) -> float:
    """Return the robust standard deviation (scaled median absolute deviation) of ordinary days' ratios to
    their baseline; infinite with fewer than two weeks of them (nothing can be told from noise)."""
    if len(ratios) < 14:
        return float("inf")
    return float(1.4826 * np.median(np.abs(ratios - np.median(ratios))))


def _fit_peaks(
    rows: list[tuple[int, list[str]]],
    totals: np.ndarray,
    baseline: np.ndarray,
    calendar: PeakCalendar,
    noise: float,
) -> dict[str, PeakLift]:
    """Fit each peak type's lift: (ratio / other types' effects - 1) = (lift - 1) x ramp, with the prior;
    the prior stays when the data's own fit is within `_SIGNIFICANCE` standard errors (`noise` over the
    square root of the ramp weights' sum of squares) of it."""
    names = sorted({key.rpartition(":")[0] for _, day_keys in rows for key in day_keys})
    lifts = {name: calendar.configured_uplift(name) or 1.0 for name in names}
    evidence = dict.fromkeys(names, 0.0)
    for _ in range(3):  # overlapping windows (Black Friday inside Sinterklaas's): a few alternating passes
        for name in names:
            prior = calendar.configured_uplift(name) or 1.0
            numerator, denominator = _PRIOR_WEIGHT * (prior - 1.0), _PRIOR_WEIGHT
            weight_total = data_total = 0.0
            for row, day_keys in rows:
                own = [key for key in day_keys if key.rpartition(":")[0] == name]
                if not own:
                    continue
                others = 1.0
                for key in day_keys:
                    other = key.rpartition(":")[0]
                    if other != name:
                        others *= 1.0 + (lifts[other] - 1.0) * calendar.ramp(key)
                weight = calendar.ramp(own[0])
                ratio = totals[row] / baseline[row] / others
                numerator += weight * (ratio - 1.0)
                denominator += weight * weight
                weight_total += weight * weight
                data_total += weight * (ratio - 1.0)
            evidence[name] = weight_total
            own_fit = 1.0 + data_total / weight_total if weight_total > 0 else prior
            if abs(own_fit - prior) <= _SIGNIFICANCE * noise / np.sqrt(max(weight_total, 1e-12)):
                lifts[name] = prior
            else:
                lifts[name] = max(0.0, 1.0 + numerator / denominator)
    return {name: PeakLift(lifts[name], float(np.sqrt(1.0 / (1.0 + evidence[name])))) for name in names}
