"""Contact-volume forecasting per interval: data loading, peak calendar, candidate models, selection by backtest.

The public entry points are `Forecaster.fit_predict` (the product's forecaster) and `backtest`.
"""

from contactpunt.workforce.forecasting.backtest import BacktestResult, backtest
from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakCalendar, PeakRule
from contactpunt.workforce.forecasting.data import aggregate, infer_interval_s, load_history, load_timestamps
from contactpunt.workforce.forecasting.selection import Forecast, Forecaster

__all__ = [
    "DEFAULT_PEAK_RULES",
    "BacktestResult",
    "Forecast",
    "Forecaster",
    "PeakCalendar",
    "PeakRule",
    "aggregate",
    "backtest",
    "infer_interval_s",
    "load_history",
    "load_timestamps",
]
