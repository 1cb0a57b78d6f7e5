"""Contact-volume forecasting per interval: data loading, peak calendar, candidate models, selection by backtest.

The public entry points are `Forecaster.fit_predict` (the product's forecaster) and
`forecasting.backtest.backtest`.

The names below are imported when first used (PEP 562; `backtest` is its submodule's name, so
the function is imported from there): the models pull in statsmodels and
statsforecast, about a second of imports that code needing only the peak calendar (the simulator's
engine process) should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contactpunt.workforce.forecasting.backtest import BacktestResult
    from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakCalendar, PeakRule
    from contactpunt.workforce.forecasting.data import aggregate, infer_interval_s, load_history, load_timestamps
    from contactpunt.workforce.forecasting.selection import Forecast, Forecaster

_MODULE_OF = {
    "BacktestResult": "backtest",
    "DEFAULT_PEAK_RULES": "calendar",
    "PeakCalendar": "calendar",
    "PeakRule": "calendar",
    "aggregate": "data",
    "infer_interval_s": "data",
    "load_history": "data",
    "load_timestamps": "data",
    "Forecast": "selection",
    "Forecaster": "selection",
}

__all__ = [
    "DEFAULT_PEAK_RULES",
    "BacktestResult",
    "Forecast",
    "Forecaster",
    "PeakCalendar",
    "PeakRule",
    "aggregate",
    "infer_interval_s",
    "load_history",
    "load_timestamps",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
