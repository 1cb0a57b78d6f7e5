"""Rolling-origin backtest of the product's forecaster against the weekly seasonal naive."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting.metrics import mase, wape, weekly_naive_scale
from contactpunt.workforce.forecasting.selection import Forecaster


@dataclass(frozen=True)
class OriginResult:
    """Accuracy at one origin (the first forecast interval)."""

    origin: pd.Timestamp
    model: str
    ours_mase: float
    naive_mase: float
    ours_wape: float
    naive_wape: float


@dataclass(frozen=True)
class BacktestResult:
    """Accuracy over all origins: MASE is the mean over origins, WAPE pools every interval."""

    origins: list[OriginResult]
    ours_mase: float
    naive_mase: float
    ours_wape: float
    naive_wape: float
    seconds: float

    @property
    def mase_ratio(self) -> float:
        """Our MASE over the seasonal naive's (below 1: we beat it)."""
        return self.ours_mase / self.naive_mase

    @property
    def wape_ratio(self) -> float:
        """Our WAPE over the seasonal naive's."""
        return self.ours_wape / self.naive_wape


def backtest(
    series: pd.Series, interval_s: int, *, horizon_s: int, origins: int, forecaster: Forecaster | None = None
) -> BacktestResult:
    """Return the backtest of `origins` consecutive windows of `horizon_s` at the end of a regular history.

    Each origin trains on everything before it. MASE is scaled by the in-sample MAE of the same interval
    one week earlier on that training data.
    """
    forecaster = forecaster or Forecaster()
    started = time.monotonic()
    horizon = horizon_s // interval_s
    week = 7 * 86400 // interval_s
    if horizon <= 0 or origins <= 0:
        raise ValueError("horizon and origins must be positive")
    if len(series) < origins * horizon + 2 * week:
        raise ValueError("history too short for this many origins: need two weeks before the first one")
    values = series.to_numpy()
    results: list[OriginResult] = []
    ours_errors, naive_errors, actual_total = 0.0, 0.0, 0.0
    for number in range(origins, 0, -1):
        cut = len(series) - number * horizon
        training = series.iloc[:cut]
        actual = values[cut : cut + horizon]
        forecast = forecaster.fit_predict(training, interval_s, horizon)
        naive = np.resize(training.to_numpy()[-week:], horizon)
        scale = weekly_naive_scale(training.to_numpy(), week)
        results.append(
            OriginResult(
                origin=pd.Timestamp(series.index[cut]),
                model=forecast.model,
                ours_mase=mase(actual, forecast.mean, scale),
                naive_mase=mase(actual, naive, scale),
                ours_wape=wape(actual, forecast.mean),
                naive_wape=wape(actual, naive),
            )
        )
        ours_errors += float(np.abs(actual - forecast.mean).sum())
        naive_errors += float(np.abs(actual - naive).sum())
        actual_total += float(np.abs(actual).sum())
    return BacktestResult(
        origins=results,
        ours_mase=float(np.nanmean([r.ours_mase for r in results])),
        naive_mase=float(np.nanmean([r.naive_mase for r in results])),
        ours_wape=ours_errors / actual_total if actual_total else float("nan"),
        naive_wape=naive_errors / actual_total if actual_total else float("nan"),
        seconds=time.monotonic() - started,
    )
