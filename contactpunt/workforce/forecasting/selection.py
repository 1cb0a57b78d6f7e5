"""The product's forecaster: candidates compared by a rolling-origin backtest on the series itself.

The candidates always include the plain seasonal naive and same-slot mean of the last four weeks, and
combinations of the best few (their median, their mean) compete too, so the forecast chosen is never
worse than those baselines on its own backtest. The fallback is the best of those two and of the same two
with the calendar; the best choice replaces it only when a reality check over the origins says its
advantage is not luck (the best of a dozen choices on a few weeks looks better than it is, most of all on
a daily series with seven numbers a week). Measured against the calendar's baselines too, a complex model
does not win the choice on the holiday weeks of the backtest alone (the plain baselines cannot know
holidays; the calendar's can) and then lose on the ordinary weeks that follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from contactpunt.workforce.forecasting.calendar import PeakCalendar
from contactpunt.workforce.forecasting.days import DayTable, day_table, slot_of
from contactpunt.workforce.forecasting.models import (
    BASELINES,
    CALENDAR_BASELINES,
    Model,
    Prepared,
    candidates,
    prepare,
)

# z of the 10% and 90% normal quantiles: an 80% prediction interval.
_Z80 = 1.2815515655446004
# Combinations tried: (how, how many of the best single models).
_COMBINATIONS = (("median", 3), ("mean", 2), ("mean", 3))
# The best choice replaces the fallback only when the chance that its advantage is luck is below this.
_LUCK = 0.10


@dataclass(frozen=True)
class Forecast:
    """Mean forecast with an 80% prediction interval per interval start, and how the model was chosen.

    `selection_mae` holds every candidate's mean absolute error on the backtest of the choice.
    """

    index: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    model: str
    selection_mae: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the forecast as a DataFrame with columns count, lower, upper."""
        return pd.DataFrame({"count": self.mean, "lower": self.lower, "upper": self.upper}, index=self.index)


@dataclass(frozen=True)
class _Choice:
    name: str
    members: tuple[str, ...]
    how: str


@dataclass
class Forecaster:
    """Forecast an interval series from its history (indexed by interval start; gaps are days not open).

    `selection_origins` weekly origins before the end of the history decide the model per series by
    mean absolute error over the days that were observed; their errors also size the 80% band (squared
    error ~ dispersion * mean + relative_variance * mean^2), widened on peak days by the uncertainty of
    the peak's lift.
    """

    calendar: PeakCalendar = field(default_factory=PeakCalendar)
    selection_origins: int = 8
    models: Sequence[Model] = field(default_factory=candidates)

    def fit_predict(self, series: pd.Series, interval_s: int, steps: int) -> Forecast:
        """Return the forecast for the `steps` intervals after the history."""
        if steps <= 0:
            raise ValueError("steps must be positive")
        table = day_table(series, interval_s)
        if len(table.days) < 7 or table.observed.sum() < 2:
            raise ValueError("the history is shorter than one week: too short to forecast")
        step = pd.Timedelta(seconds=interval_s)
        index = pd.date_range(pd.Timestamp(series.index[-1]) + step, periods=steps, freq=step)
        first = table.days[-1] + pd.Timedelta(days=1)
        future_days = pd.date_range(first, max(first, index[-1].normalize()), freq="D")
        horizon = min(7, len(future_days))
        choice, mae, pairs = self._select(table, horizon)
        prepared = prepare(table, self.calendar)
        base, low, high = self._combined(prepared, choice, future_days)
        dispersion, relative = _fit_spread(*pairs)
        spread_low = _Z80 * np.sqrt(dispersion * low + relative * low**2)
        spread_high = _Z80 * np.sqrt(dispersion * high + relative * high**2)
        # An interval left on the history's last day (it ended before closing time) is closed.
        rows = np.asarray((index.normalize() - future_days[0]).days)
        inside = (rows >= 0).astype(float)
        rows, slots = np.maximum(rows, 0), slot_of(index, interval_s)
        return Forecast(
            index=index,
            mean=base[rows, slots] * inside,
            lower=np.clip(low - spread_low, 0.0, None)[rows, slots] * inside,
            upper=(high + spread_high)[rows, slots] * inside,
            model=choice.name,
            selection_mae=mae,
        )

    def _forecasts(self, prepared: Prepared, future_days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
        """Return each model's expected days, closed weekdays zero and the day effects applied."""
        expected = prepared.effects.day_factors(list(future_days.date))[:, 0]
        is_open = np.isin(future_days.day_of_week, sorted(prepared.open_weekdays)).astype(float)
        result = {}
        for model in self.models:
            days = np.clip(model.predict(prepared, future_days), 0.0, None) * is_open[:, None]
            result[model.name] = days * expected[:, None] if model.uses_calendar else days
        return result

    def _combined(
        self, prepared: Prepared, choice: _Choice, future_days: pd.DatetimeIndex
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the expected, low and high days of the choice (low and high differ on peak days)."""
        forecasts = self._forecasts(prepared, future_days)
        mean = _combine([forecasts[name] for name in choice.members], choice.how)
        factors = prepared.effects.day_factors(list(future_days.date))
        with np.errstate(invalid="ignore", divide="ignore"):
            low_ratio = np.where(factors[:, 0] > 0, factors[:, 1] / factors[:, 0], 1.0)
            high_ratio = np.where(factors[:, 0] > 0, factors[:, 2] / factors[:, 0], 1.0)
        return mean, mean * low_ratio[:, None], mean * high_ratio[:, None]

    def _select(self, table: DayTable, horizon: int) -> tuple[_Choice, dict[str, float], tuple[np.ndarray, np.ndarray]]:
        """Backtest every model at weekly origins; return the best single model or combination."""
        predicted: dict[str, list[np.ndarray]] = {model.name: [] for model in self.models}
        actual: list[np.ndarray] = []
        for number in range(self.selection_origins, 0, -1):
            cut = len(table.days) - 7 * (number - 1) - horizon
            if cut < 14:
                continue
            training = table.head(cut)
            window = slice(cut, cut + horizon)
            seen = table.observed[window]
            if not seen.any() or training.observed[-28:].sum() < 2:
                continue
            forecasts = self._forecasts(prepare(training, self.calendar), table.days[window])
            for name, days in forecasts.items():
                predicted[name].append(days[seen].ravel())
            actual.append(table.values[window][seen].ravel())
        if not actual:
            return _Choice("slot_mean_4w+calendar", ("slot_mean_4w+calendar",), "mean"), {}, (np.array([]),) * 2
        truth = np.concatenate(actual)
        bounds = np.cumsum([0] + [len(part) for part in actual])
        stacked = {name: np.concatenate(parts) for name, parts in predicted.items()}
        mae = {name: float(np.mean(np.abs(values - truth))) for name, values in stacked.items()}
        # A stable sort: among equals the earlier candidate (a calendar model before a plain one) wins.
        ranked = sorted(mae, key=lambda name: mae[name])
        choices = {name: _Choice(name, (name,), "mean") for name in ranked}
        for how, count in _COMBINATIONS:
            if len(ranked) >= count:
                members = tuple(ranked[:count])
                name = f"{how}({', '.join(members)})"
                stacked[name] = _combine([stacked[m] for m in members], how)
                mae[name] = float(np.mean(np.abs(stacked[name] - truth)))
                choices[name] = _Choice(name, members, how)
        best = min(choices, key=lambda name: mae[name])
        # Never worse than the plain baselines: the fallback is the best of them and their calendar versions
        # (on a tie the calendar's, which knows the holidays ahead).
        fallbacks = [name for name in (*CALENDAR_BASELINES, *BASELINES) if name in mae]
        baseline = min(fallbacks, key=lambda name: mae[name]) if fallbacks else best
        if best != baseline:
            starts = bounds[:-1]
            sizes = np.diff(bounds)
            per_origin = np.array([np.add.reduceat(np.abs(stacked[name] - truth), starts) / sizes for name in choices])
            per_origin -= per_origin[list(choices).index(baseline)]
            if mae[best] >= mae[baseline] or _chance_of(per_origin) >= _LUCK:
                best = baseline
        return choices[best], mae, (stacked[best], truth)


def _chance_of(per_origin: np.ndarray) -> float:
    """Return the chance that the best choice's advantage over the fallback is luck (a reality check).

    `per_origin` holds every choice's mean absolute error minus the fallback's, one row per choice and one
    column per origin. The statistic is the best choice's advantage in standard errors (a paired t). Under
    "no choice is better" each origin's differences are as likely negated, all choices' together, so every
    pattern of signs over whole origins gives the best advantage luck alone could show (all patterns up to
    12 origins, else 4096 seeded ones): an exact test of the best of many, not of one chosen beforehand.
    """
    origins = per_origin.shape[1]
    if origins < 2:
        return 1.0
    if origins <= 12:
        signs = np.array(list(product((1.0, -1.0), repeat=origins)))
    else:
        signs = np.vstack([np.ones(origins), np.random.default_rng(0).choice((1.0, -1.0), size=(4095, origins))])
    flipped = signs[:, None, :] * per_origin[None, :, :]
    mean = flipped.mean(axis=2)
    spread = flipped.std(axis=2, ddof=1) / np.sqrt(origins)
    # Better by the same amount at every origin is certainly better; equal at every origin is not.
    with np.errstate(divide="ignore", invalid="ignore"):
        advantage = np.where(spread > 0, -mean / spread, np.where(mean < 0, np.inf, 0.0)).max(axis=1)
    if advantage[0] <= 0:
        return 1.0
    return float(np.mean(advantage >= advantage[0]))


def _combine(parts: list[np.ndarray], how: str) -> np.ndarray:
    stacked = np.stack(parts)
    return np.asarray(np.median(stacked, axis=0) if how == "median" else stacked.mean(axis=0))


def _fit_spread(predicted: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """Return (dispersion, relative variance) with squared error ~ dispersion*mean + relative*mean^2.

    Without backtest errors: Poisson dispersion 1 and a 10% relative error.
    """
    if len(predicted) < 10:
        return 1.0, 0.01
    design = np.column_stack([predicted, predicted**2])
    coefficients, _ = nnls(design, (actual - predicted) ** 2)
    dispersion, relative = float(coefficients[0]), float(coefficients[1])
    if dispersion == 0 and relative == 0:
        return 1.0, 0.0
    return dispersion, relative
