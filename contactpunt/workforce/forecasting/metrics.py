"""Forecast accuracy: MASE against the weekly seasonal naive, and WAPE."""

from __future__ import annotations

import numpy as np


def weekly_naive_scale(training: np.ndarray, slots_per_week: int) -> float:
    """Return the in-sample MAE of the same interval one week earlier (the MASE scale); NaN if too short."""
    if len(training) <= slots_per_week:
        return float("nan")
    return float(np.mean(np.abs(training[slots_per_week:] - training[:-slots_per_week])))


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Return the mean absolute error divided by `scale` (NaN when the scale is zero or unknown)."""
    if not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(actual - forecast)) / scale)


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Return sum |actual - forecast| / sum |actual| (NaN when there was no volume at all)."""
    total = float(np.sum(np.abs(actual)))
    return float(np.sum(np.abs(actual - forecast)) / total) if total > 0 else float("nan")
