"""Candidate models. Each returns the mean forecast for the intervals that follow a prepared history.

Models that learn from the cleaned history (`uses_calendar`) get the day effects of holidays and peaks
applied afterwards by the forecaster; the seasonal naive is the plain benchmark and ignores them.
"""

from __future__ import annotations

import warnings
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.prepare import Prepared, day_matrix

# Recent history each model trains on: enough for the patterns, short enough to adapt and run fast.
_DAILY_TRAINING_WEEKS = 26
_PROFILE_WEEKS = 8
_MSTL_TRAINING_WEEKS = 8


class Model(Protocol):
    """A candidate forecaster."""

    name: ClassVar[str]
    uses_calendar: ClassVar[bool]

    def min_history_slots(self, prepared: Prepared) -> int:
        """Return the shortest history the model can work with."""
        ...

    def predict(self, prepared: Prepared, steps: int) -> np.ndarray:
        """Return the mean forecast for the `steps` intervals after the history."""
        ...


class SeasonalNaive:
    """The same interval one week earlier (repeated for horizons past a week)."""

    name: ClassVar[str] = "seasonal_naive"
    uses_calendar: ClassVar[bool] = False

    def min_history_slots(self, prepared: Prepared) -> int:
        return prepared.slots_per_week

    def predict(self, prepared: Prepared, steps: int) -> np.ndarray:
        last_week = prepared.series.to_numpy()[-prepared.slots_per_week :]
        return np.resize(last_week, steps).astype(float)


def _ets_forecast(values: np.ndarray, steps: int, *, seasonal_periods: int | None) -> np.ndarray:
    """Return a damped-trend ETS forecast (additive errors), with seasonality when a period is given."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            pd.Series(values, dtype=float),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add" if seasonal_periods else None,
            seasonal_periods=seasonal_periods,
        )
        fitted = model.fit(disp=False, maxiter=200)
        return np.asarray(fitted.forecast(steps), dtype=float)


class DailyTimesProfile:
    """Daily volume by ETS (damped trend, weekly season) times a per-weekday intraday profile.

    The usual contact-centre method: the weekday profile is the volume-weighted share of each interval
    in the day over the last eight ordinary same-weekday days, learned from the data for every weekday.
    """

    name: ClassVar[str] = "daily_x_profile"
    uses_calendar: ClassVar[bool] = True

    def min_history_slots(self, prepared: Prepared) -> int:
        return 2 * prepared.slots_per_week

    def predict(self, prepared: Prepared, steps: int) -> np.ndarray:
        spd = prepared.slots_per_day
        matrix = day_matrix(prepared.cleaned, prepared.interval_s)
        complete = matrix.dropna(axis=0, how="any")
        complete = complete.iloc[-_DAILY_TRAINING_WEEKS * 7 :]
        future = prepared.future_index(steps)
        future_days = future.normalize().unique()
        # Days to forecast: every day after the last complete day up to the last future day.
        first_day = complete.index[-1] + pd.Timedelta(days=1)
        days = pd.date_range(first_day, future_days[-1], freq="D")
        totals = complete.sum(axis=1)
        # Gaps between complete days (a partial day) are bridged by the daily grid: fill them by weekday.
        grid = pd.date_range(totals.index[0], totals.index[-1], freq="D")
        totals = totals.reindex(grid)
        totals = totals.fillna(totals.groupby(totals.index.day_of_week).transform("mean")).fillna(0.0)
        if len(totals) >= 28:
            daily = _ets_forecast(totals.to_numpy(), len(days), seasonal_periods=7)
        else:
            by_weekday = totals.groupby(totals.index.day_of_week).mean()
            daily = np.array([by_weekday.get(day.day_of_week, totals.mean()) for day in days])
        daily = np.clip(daily, 0.0, None)
        shares = self._profiles(complete, spd)
        forecast_by_day = {day: total * shares[day.day_of_week] for day, total in zip(days, daily, strict=True)}
        slot = ((future.hour * 3600 + future.minute * 60) // prepared.interval_s).to_numpy()
        values = np.array(
            [forecast_by_day[day][min(s, spd - 1)] for day, s in zip(future.normalize(), slot, strict=True)]
        )
        return np.asarray(values, dtype=float)

    @staticmethod
    def _profiles(complete: pd.DataFrame, slots_per_day: int) -> dict[int, np.ndarray]:
        overall = complete.sum(axis=0).to_numpy()
        overall_share = overall / overall.sum() if overall.sum() > 0 else np.full(slots_per_day, 1 / slots_per_day)
        shares: dict[int, np.ndarray] = {}
        for weekday in range(7):
            recent = complete[complete.index.day_of_week == weekday].iloc[-_PROFILE_WEEKS:]
            volume = recent.sum(axis=0).to_numpy()
            shares[weekday] = volume / volume.sum() if volume.sum() > 0 else overall_share
        return shares


class MSTLModel:
    """MSTL decomposition with daily and weekly seasons; damped-trend ETS on the deseasonalised rest.

    Each seasonal component continues its last period unchanged.
    """

    name: ClassVar[str] = "mstl"
    uses_calendar: ClassVar[bool] = True

    def min_history_slots(self, prepared: Prepared) -> int:
        return 3 * prepared.slots_per_week

    def predict(self, prepared: Prepared, steps: int) -> np.ndarray:
        from statsmodels.tsa.seasonal import MSTL

        spd, spw = prepared.slots_per_day, prepared.slots_per_week
        values = prepared.cleaned.to_numpy()[-_MSTL_TRAINING_WEEKS * spw :]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = MSTL(values, periods=(spd, spw), iterate=1).fit()
        seasonal = np.asarray(result.seasonal, dtype=float).reshape(len(values), -1)
        rest = values - seasonal.sum(axis=1)
        level = _ets_forecast(rest, steps, seasonal_periods=None)
        future = np.zeros(steps)
        for column, period in enumerate((spd, spw)):
            future += np.resize(seasonal[-period:, column], steps)
        return np.clip(level + future, 0.0, None)


CANDIDATES: tuple[type[SeasonalNaive] | type[DailyTimesProfile] | type[MSTLModel], ...] = (
    SeasonalNaive,
    DailyTimesProfile,
    MSTLModel,
)
