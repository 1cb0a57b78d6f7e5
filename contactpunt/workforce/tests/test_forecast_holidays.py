"""The configured holidays checked against the history: ordinary days stay ordinary, closed days stay closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from contactpunt.workforce.forecasting import Forecaster, PeakCalendar
from contactpunt.workforce.forecasting.days import day_table
from contactpunt.workforce.forecasting.effects import learn_day_effects

CHRISTMAS = (pd.Timestamp("2025-12-25"), pd.Timestamp("2025-12-26"), pd.Timestamp("2026-01-01"))


def weekday_days(
    holiday_factor: float | None, *, seed: int, closed: Iterable[str] = (), country: str = "NL"
) -> pd.Series:
    """Daily contacts of a Monday-Friday centre from 8 January 2024 to Friday 19 December 2025, with 15%
    day-to-day noise: on `country`'s public holidays the volume times `holiday_factor` (None: closed, no row,
    as an export gives it), and no row on the `closed` dates either."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-08", "2025-12-19", freq="D")
    days = days[days.day_of_week < 5]
    holidays = PeakCalendar(country=country, rules=()).keys_by_date(days.date)
    values = 1000 * np.array([1.3, 1.1, 1.0, 1.0, 0.8])[days.day_of_week] * rng.lognormal(0.0, 0.15, len(days))
    is_holiday = np.array([day in holidays for day in days.date])
    if holiday_factor is not None:
        values = np.where(is_holiday, values * holiday_factor, values)
    keep = ~is_holiday if holiday_factor is None else np.ones(len(days), bool)
    keep &= ~days.isin(pd.DatetimeIndex(list(closed)))
    return pd.Series(np.round(values), index=days)[keep]


def daily_forecast(history: pd.Series, country: str | None) -> pd.Series:
    forecast = Forecaster(calendar=PeakCalendar(country=country, rules=())).fit_predict(history, 86400, 14)
    return pd.Series(forecast.mean, index=forecast.index)


def test_holidays_the_history_shows_as_ordinary_days_get_no_dip():
    """Another country's centre (or one working through the holidays): the Dutch holidays in its history are
    ordinary days, some a little low by chance. Configured with the Netherlands it forecasts Christmas and New
    Year's Day as the ordinary Thursday and Friday they are there, as with no holidays configured."""
    history = weekday_days(0.85, seed=21)
    effects, factor = learn_day_effects(day_table(history, 86400), PeakCalendar(country="NL", rules=()))
    assert {"holiday:Christmas Day", "holiday:New Year's Day"} <= effects.ordinary
    rows = day_table(history, 86400).days
    for day in (dt.date(2024, 12, 25), dt.date(2024, 12, 26), dt.date(2025, 1, 1)):
        assert factor[rows.get_loc(pd.Timestamp(day))] == 1.0  # kept in the history as an ordinary day
    dutch, plain = daily_forecast(history, "NL"), daily_forecast(history, None)
    for day in CHRISTMAS:
        assert dutch[day] > 0.95 * plain[day] > 0, day


def test_a_centre_closed_on_the_holidays_and_its_own_dates_stays_closed_on_them():
    """Missing from the history on the Dutch holidays and on Christmas Eve (no Dutch holiday: the centre's own
    closed day, on a Tuesday in 2024): closed on them when they recur, open on the ordinary days between."""
    history = weekday_days(None, seed=22, closed=["2024-12-24"])
    forecast = daily_forecast(history, "NL")
    for day in (*CHRISTMAS, pd.Timestamp("2025-12-24")):
        assert forecast[day] == 0.0, day
    for day in (pd.Timestamp("2025-12-22"), pd.Timestamp("2025-12-23"), pd.Timestamp("2025-12-29")):
        assert forecast[day] > 500, day


def test_an_export_gap_is_not_a_closed_date_and_an_open_date_reopens_it():
    """Two weeks missing (an export gap) mark no dates; a date missing in 2024 but open in 2025 is open."""
    gap = [str(day.date()) for day in pd.date_range("2024-03-04", "2024-03-15")]
    history = weekday_days(1.0, seed=23, closed=[*gap, "2024-06-12", "2024-10-15", "2025-10-15"])
    effects, _ = learn_day_effects(day_table(history, 86400), PeakCalendar(country=None, rules=()))
    assert effects.closed_dates == frozenset({(10, 15)})


def test_a_real_holiday_dip_is_still_learned():
    """Open on the Dutch holidays at 40% of an ordinary day: the dip is learned and put on Christmas."""
    history = weekday_days(0.4, seed=24)
    dutch, plain = daily_forecast(history, "NL"), daily_forecast(history, None)
    for day in CHRISTMAS:
        assert 0.25 * plain[day] < dutch[day] < 0.6 * plain[day], day


def test_a_nearly_closed_day_the_calendar_does_not_know_is_left_out_but_a_new_lower_level_is_not():
    """A weekday at a tenth of its volume (a holiday of the centre's own) is left out of the history like a
    configured one; a slow day at 60% is not, nor the last three days at a tenth (a new level, as far as
    the history can tell)."""
    history = weekday_days(1.0, seed=25)
    nearly_closed, slow = pd.Timestamp("2025-03-12"), pd.Timestamp("2025-06-04")
    last_three = history.index[-3:]
    history[[nearly_closed, *last_three]] *= 0.1
    history[slow] *= 0.6
    table = day_table(history, 86400)
    _, factor = learn_day_effects(table, PeakCalendar(country=None, rules=()))
    assert np.isnan(factor[table.days.get_loc(nearly_closed)])
    for day in (slow, *last_three):
        assert factor[table.days.get_loc(day)] == 1.0, day
