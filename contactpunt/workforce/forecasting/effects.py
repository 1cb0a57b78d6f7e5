"""Day effects of holidays and peaks, learned from the history as ratios to an ordinary-day baseline.

A holiday's effect is its own ratio (a holiday the centre was closed on, missing from the history, has
ratio 0), else the median of the holidays seen. A peak type (a rule or a one-off date) has one lift, its
peak-day multiplier; the other days of its window ramp from 1 at the edges to it (`PeakCalendar.ramp`).
The lift is a least-squares fit over every day of its windows in the history, shrunk towards the
configured uplift; how much history backs it sets how wide the band stays around it. A fit the history
cannot tell from the prior (within three standard errors, from the day-to-day noise of ordinary days'
ratios) keeps the prior: a rule for another country's peaks, or one day at the edge of a window, learns no
effect from noise.
"""

from __future__ import annotations

import warnings
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


@dataclass(frozen=True)
class PeakLift:
    """A peak type's peak-day multiplier and how uncertain it is (1: a prior alone, towards 0: learned)."""

    lift: float
    uncertainty: float


@dataclass(frozen=True)
class DayEffects:
    """Multipliers on the ordinary-day volume: per holiday, per peak type, and for holidays never seen."""

    holidays: dict[str, float]
    unseen_holiday: float
    peaks: dict[str, PeakLift]
    calendar: PeakCalendar

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
        holiday_keys = [key for key in keys if key.startswith("holiday:")]
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
    holiday_ratios: dict[str, list[float]] = {}
    peak_rows: list[tuple[int, list[str]]] = []
    for row, day_keys in enumerate(keys):
        base = baseline[row]
        if not day_keys or not open_days[row] or not np.isfinite(base) or base <= 0:
            continue
        holiday_keys = [key for key in day_keys if key.startswith("holiday:")]
        if holiday_keys:
            # Missing on a weekday the centre opens: closed for the holiday.
            ratio = totals[row] / base if table.observed[row] else 0.0
            for key in holiday_keys:
                holiday_ratios.setdefault(key, []).append(float(ratio))
        elif table.observed[row]:
            peak_rows.append((row, day_keys))
    holidays = {key: float(np.median(values)) for key, values in holiday_ratios.items()}
    every_holiday = [value for values in holiday_ratios.values() for value in values]
    unseen = float(np.median(every_holiday)) if every_holiday else 1.0
    ordinary = table.observed & ~is_special & open_days & np.isfinite(baseline) & (baseline > 0)
    peaks = _fit_peaks(peak_rows, totals, baseline, calendar, _ratio_noise(totals[ordinary] / baseline[ordinary]))
    effects = DayEffects(holidays=holidays, unseen_holiday=unseen, peaks=peaks, calendar=calendar)
    factor = np.ones(len(table.days))
    for row, day_keys in enumerate(keys):
        if any(key.startswith("holiday:") for key in day_keys):
            factor[row] = np.nan
        elif day_keys:
            factor[row] = effects.multiplier(day_keys)
    return effects, factor


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
