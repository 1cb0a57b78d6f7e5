"""The product's forecaster: candidates compared by rolling-origin backtest per series, the best one used."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from contactpunt.workforce.forecasting.calendar import PeakCalendar
from contactpunt.workforce.forecasting.effects import day_multipliers
from contactpunt.workforce.forecasting.models import CANDIDATES, Model
from contactpunt.workforce.forecasting.prepare import Prepared, prepare

# z of the 10% and 90% normal quantiles: an 80% prediction interval.
_Z80 = 1.2815515655446004
_WEEK_S = 7 * 86400


@dataclass(frozen=True)
class Forecast:
    """Mean forecast with an 80% prediction interval per interval start, and how the model was chosen."""

    index: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    model: str
    selection_wape: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the forecast as a DataFrame with columns count, lower, upper."""
        return pd.DataFrame({"count": self.mean, "lower": self.lower, "upper": self.upper}, index=self.index)


@dataclass
class Forecaster:
    """Forecast a regular interval series from its history.

    `selection_origins` backtest origins (each `selection_horizon_s` ahead, at most a week) decide the
    model per series by WAPE; a model whose single fit takes longer than `model_time_limit_s` is dropped.
    The backtest errors of the chosen model also calibrate its prediction interval: the squared error
    is modelled as dispersion * mean + relative_variance * mean^2.
    """

    calendar: PeakCalendar = field(default_factory=PeakCalendar)
    selection_origins: int = 3
    selection_horizon_s: int = _WEEK_S
    model_time_limit_s: float = 30.0
    models: Sequence[Model] = field(default_factory=lambda: [candidate() for candidate in CANDIDATES])

    def predict_model(self, model: Model, prepared: Prepared, steps: int) -> np.ndarray:
        """Return the mean forecast of one model, with the day effects applied when the model uses them."""
        mean = model.predict(prepared, steps)
        if model.uses_calendar:
            future = prepared.future_index(steps)
            multipliers = day_multipliers(future.normalize().unique(), prepared.effects)
            mean = mean * multipliers.reindex(future.normalize()).to_numpy()
        return np.asarray(np.clip(mean, 0.0, None), dtype=float)

    def fit_predict(self, series: pd.Series, interval_s: int, steps: int) -> Forecast:
        """Return the forecast for the `steps` intervals after a regular history (see data.aggregate)."""
        if steps <= 0:
            raise ValueError("steps must be positive")
        full = prepare(series, interval_s, self.calendar)
        usable = [model for model in self.models if len(series) >= model.min_history_slots(full)]
        if not usable:
            raise ValueError("the history is shorter than one week: too short to forecast")
        errors, wape_by_model = self._select(series, interval_s, usable, steps)
        ranked = sorted(wape_by_model, key=lambda name: wape_by_model[name])
        chosen_name = ranked[0] if ranked else usable[-1].name
        chosen = next(model for model in usable if model.name == chosen_name)
        mean = self.predict_model(chosen, full, steps)
        dispersion, relative = _fit_spread(*errors.get(chosen_name, (np.array([]), np.array([]))))
        weeks_ahead = np.maximum(1.0, (np.arange(steps) + 1) * interval_s / self.selection_horizon_s)
        spread = _Z80 * np.sqrt(dispersion * mean + relative * mean**2 * weeks_ahead)
        return Forecast(
            index=full.future_index(steps),
            mean=mean,
            lower=np.clip(mean - spread, 0.0, None),
            upper=mean + spread,
            model=chosen_name,
            selection_wape=wape_by_model,
        )

    def _select(
        self, series: pd.Series, interval_s: int, usable: list[Model], steps: int
    ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, float]]:
        horizon = min(steps, self.selection_horizon_s // interval_s)
        errors: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {model.name: [] for model in usable}
        dropped: set[str] = set()
        for origin_number in range(self.selection_origins, 0, -1):
            cut = len(series) - origin_number * horizon
            training = series.iloc[:cut]
            actual = series.to_numpy()[cut : cut + horizon]
            if cut <= 0 or len(actual) < horizon:
                continue
            prepared = prepare(training, interval_s, self.calendar)
            for model in usable:
                if model.name in dropped or len(training) < model.min_history_slots(prepared):
                    continue
                started = time.monotonic()
                try:
                    predicted = self.predict_model(model, prepared, horizon)
                except (ValueError, np.linalg.LinAlgError):
                    dropped.add(model.name)
                    continue
                if time.monotonic() - started > self.model_time_limit_s:
                    dropped.add(model.name)
                    continue
                errors[model.name].append((predicted, actual))
        stacked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        wape_by_model: dict[str, float] = {}
        for name, pairs in errors.items():
            if name in dropped or not pairs:
                continue
            predicted = np.concatenate([pair[0] for pair in pairs])
            actual = np.concatenate([pair[1] for pair in pairs])
            stacked[name] = (predicted, actual)
            total = float(np.abs(actual).sum())
            wape_by_model[name] = float(np.abs(actual - predicted).sum() / total) if total > 0 else 0.0
        return stacked, wape_by_model


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
