"""Rolling-origin backtest of the product's forecaster beside the two plain baselines.

Origins are midnights (optionally a given weekday); each trains on everything before it and forecasts
the following days. Only the days the history observed are scored (a closed or missing day has no
actual to compare with). The baselines are computed here from the history directly, by timestamp: the
same interval one week earlier, and the mean of the same interval over the last four weeks, each over
the observed days only (an earlier week stands in for a missing one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.days import DayTable, day_table
from contactpunt.workforce.forecasting.metrics import mase, wape
from contactpunt.workforce.forecasting.selection import Forecaster

#: The baselines, as the reports name them.
BASELINE_NAMES = ("seasonal naive", "slot mean 4w")


@dataclass(frozen=True)
class OriginResult:
    """Accuracy at one origin (the first forecast day): ours and each baseline's."""

    origin: pd.Timestamp
    model: str
    mase: dict[str, float]
    wape: dict[str, float]
    seconds: float
    coverage: float = float("nan")


@dataclass(frozen=True)
class BacktestResult:
    """Accuracy over all origins: MASE is the mean over origins, WAPE pools every scored interval."""

    origins: list[OriginResult]
    mase: dict[str, float]
    wape: dict[str, float]
    seconds: float

    @property
    def coverage(self) -> float:
        """The share of scored intervals whose actual fell inside our 80% band."""
        return float(np.nanmean([r.coverage for r in self.origins]))

    @property
    def ours_mase(self) -> float:
        return self.mase["ours"]

    @property
    def naive_mase(self) -> float:
        return self.mase["seasonal naive"]

    @property
    def ours_wape(self) -> float:
        return self.wape["ours"]

    @property
    def naive_wape(self) -> float:
        return self.wape["seasonal naive"]

    @property
    def mase_ratio(self) -> float:
        """Our MASE over the seasonal naive's (below 1: we beat it)."""
        return self.ours_mase / self.naive_mase

    @property
    def wape_ratio(self) -> float:
        """Our WAPE over the seasonal naive's."""
        return self.ours_wape / self.naive_wape

    def ratio(self, baseline: str) -> float:
        """Our MASE over a baseline's."""
        return self.mase["ours"] / self.mase[baseline]


def weekly_scale(table: DayTable) -> float:
    """Return the in-sample MAE of the same interval one week earlier, over pairs of observed days."""
    both = table.observed[7:] & table.observed[:-7]
    if not both.any():
        return float("nan")
    return float(np.mean(np.abs(table.values[7:][both] - table.values[:-7][both])))


def baselines(table: DayTable, row: int, first: int) -> dict[str, np.ndarray]:
    """Return the baselines' forecast of the day at `row` from the observed days before row `first`."""
    earlier = [r for r in range(row - 7, -1, -7) if r < first and table.observed[r]]
    if not earlier:
        zero = np.zeros(table.slots_per_day)
        return {"seasonal naive": zero, "slot mean 4w": zero}
    last_four = [r for r in earlier if r >= row - 28] or earlier[:1]
    return {"seasonal naive": table.values[earlier[0]], "slot mean 4w": table.values[last_four].mean(axis=0)}


def backtest(
    series: pd.Series,
    interval_s: int,
    *,
    horizon_s: int,
    origins: int,
    forecaster: Forecaster | None = None,
    weekday: int | None = None,
) -> BacktestResult:
    """Return the backtest of `origins` consecutive windows of `horizon_s` (whole days) at the end of the
    history, each starting on `weekday` when given (Monday 0), forecast by `forecaster.fit_predict`."""
    forecaster = forecaster or Forecaster()
    started = time.monotonic()
    horizon = max(1, horizon_s // 86400)
    if horizon_s <= 0 or origins <= 0:
        raise ValueError("horizon and origins must be positive")
    table = day_table(series, interval_s)
    last_start = len(table.days) - horizon
    if weekday is not None:
        while last_start > 0 and table.days[last_start].day_of_week != weekday:
            last_start -= 1
    step = 7 if weekday is not None else horizon
    starts = [last_start - step * n for n in range(origins - 1, -1, -1)]
    if starts[0] < 14:
        raise ValueError("history too short for this many origins: need two weeks before the first one")
    spd = table.slots_per_day
    names = ("ours", *BASELINE_NAMES)
    errors = dict.fromkeys(names, 0.0)
    actual_total = 0.0
    results: list[OriginResult] = []
    for start in starts:
        begun = time.monotonic()
        training = table.head(start)
        cut = series.index < table.days[start]
        forecast = forecaster.fit_predict(series[cut], interval_s, horizon * spd + _tail(series[cut], interval_s))
        full = forecast.to_frame()
        frame = full["count"]
        inside: list[np.ndarray] = []
        seen = [row for row in range(start, start + horizon) if table.observed[row]]
        actual = table.values[seen].ravel()
        predicted: dict[str, np.ndarray] = {name: np.empty(0) for name in names}
        for row in seen:
            stamps = table.days[row] + pd.to_timedelta(np.arange(spd) * interval_s, unit="s")
            predicted["ours"] = np.concatenate([predicted["ours"], frame.reindex(stamps).fillna(0.0).to_numpy()])
            band = full.reindex(stamps).fillna(0.0)
            day_actual = table.values[row]
            inside.append((band["lower"].to_numpy() <= day_actual) & (day_actual <= band["upper"].to_numpy()))
            for name, values in baselines(table, row, start).items():
                predicted[name] = np.concatenate([predicted[name], values])
        scale = weekly_scale(training)
        results.append(
            OriginResult(
                origin=pd.Timestamp(table.days[start]),
                model=forecast.model,
                mase={name: mase(actual, predicted[name], scale) for name in names},
                wape={name: wape(actual, predicted[name]) for name in names},
                seconds=time.monotonic() - begun,
                coverage=float(np.concatenate(inside).mean()) if inside else float("nan"),
            )
        )
        for name in names:
            errors[name] += float(np.abs(actual - predicted[name]).sum())
        actual_total += float(np.abs(actual).sum())
    return BacktestResult(
        origins=results,
        mase={name: float(np.nanmean([r.mase[name] for r in results])) for name in names},
        wape={name: errors[name] / actual_total if actual_total else float("nan") for name in names},
        seconds=time.monotonic() - started,
    )


def _tail(history: pd.Series, interval_s: int) -> int:
    """Return the intervals from the end of the history to the next midnight."""
    last = pd.Timestamp(history.index[-1])
    return int((last.normalize() + pd.Timedelta(days=1) - last) / pd.Timedelta(seconds=interval_s)) - 1
