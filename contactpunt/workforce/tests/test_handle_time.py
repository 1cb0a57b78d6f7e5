"""Handle-time forecast per weekday and interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contactpunt.workforce.forecasting.handle_time import forecast_handle_time


def test_handle_time_follows_weekday_and_interval_weighted_by_volume():
    index = pd.date_range("2024-01-01", periods=14 * 24, freq="h")
    handled = pd.Series(np.where(index.hour == 3, 0.0, 10.0), index=index)
    # Mondays take 300 s per contact, other days 200 s.
    seconds = handled * np.where(index.day_of_week == 0, 300.0, 200.0)
    future = pd.date_range("2024-01-15 09:00", periods=2, freq="D")  # a Monday and a Tuesday
    assert list(forecast_handle_time(handled, seconds, future, 3600)) == pytest.approx([300.0, 200.0])
    # An interval never handled before falls back to the overall mean.
    night = pd.DatetimeIndex(["2024-01-16 03:00"])
    assert forecast_handle_time(handled, seconds, night, 3600)[0] == pytest.approx(seconds.sum() / handled.sum())
