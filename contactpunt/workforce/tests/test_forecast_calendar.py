"""The forecaster on other operating calendars: weekday-only weeks, missing holiday weekdays, peak lifts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from contactpunt.simulation.scenario import peak_factors
from contactpunt.simulation.scenarios import GREETING_CARDS
from contactpunt.workforce.forecasting import Forecaster, PeakCalendar
from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakDate, without_uplifts
from contactpunt.workforce.forecasting.days import day_table
from contactpunt.workforce.forecasting.models import BASELINES


def weekday_centre(first: str, last: str, *, seed: int = 3, lifts: dict[dt.date, float] | None = None) -> pd.Series:
    """Quarter hours of a Monday-Friday centre open 08:00-18:00, as an export gives them: no rows for the
    weekend nor for the Dutch public holidays it closed on; Poisson counts with a slow upward trend."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(first, last, freq="15min", inclusive="left")
    hour = index.hour + index.minute / 60
    keep = (index.day_of_week < 5) & (hour >= 8) & (hour < 18)
    closed = PeakCalendar(country="NL", rules=()).keys_by_date(index.normalize().unique().date)
    keep &= ~np.isin(index.normalize().date, list(closed))
    index = index[keep]
    hour = hour[keep]
    weekday = np.array([1.3, 1.1, 1.0, 1.0, 0.8])[index.day_of_week]
    trend = 1 + 0.002 * np.asarray((index - index[0]).days)
    shape = 4 + 6 * np.sin((hour - 8) / 10 * np.pi)
    lift = np.array([(lifts or {}).get(day, 1.0) for day in index.date])
    return pd.Series(rng.poisson(shape * weekday * trend * lift).astype(float), index=index)


def test_a_weekday_centre_with_missing_holidays_beats_or_equals_the_baselines_on_its_backtest():
    history = weekday_centre("2025-01-06", "2025-06-02")  # Ascension (29 May) missing in the last week
    forecast = Forecaster(calendar=PeakCalendar(country="NL", rules=())).fit_predict(history, 900, 10 * 96)
    mae = forecast.selection_mae
    assert forecast.model in mae
    for baseline in BASELINES:
        assert mae[forecast.model] <= mae[baseline]
    frame = forecast.to_frame()
    by_day = frame["count"].groupby(frame.index.normalize()).sum()
    # The week after the history: Whit Monday (9 June 2025) closed as the holidays before it were, the weekend
    # closed, the other weekdays at their level; the week is not shifted by the missing Thursday.
    assert by_day[pd.Timestamp("2025-06-09")] == 0.0
    assert by_day[pd.Timestamp("2025-06-07")] == by_day[pd.Timestamp("2025-06-08")] == 0.0
    recent = history[history.index >= pd.Timestamp("2025-04-28")]
    weekday_means = recent.groupby(recent.index.normalize()).sum().groupby(lambda day: day.day_of_week).mean()
    for day in pd.date_range("2025-06-03", "2025-06-06"):
        assert by_day[day] == pytest.approx(weekday_means[day.day_of_week], rel=0.15)
    assert (frame["lower"] <= frame["count"]).all() and (frame["count"] <= frame["upper"]).all()


def test_open_weekdays_are_learned_from_the_history():
    history = weekday_centre("2025-01-06", "2025-03-03")
    assert day_table(history, 900).open_weekdays() == frozenset({0, 1, 2, 3, 4})
    sunday_to_thursday = history.set_axis(history.index - pd.Timedelta(days=1))
    assert day_table(sunday_to_thursday, 900).open_weekdays() == frozenset({6, 0, 1, 2, 3})


def test_a_peak_with_a_known_lift_learned_a_year_earlier_falls_inside_the_band():
    campaign = [PeakDate("campaign", dt.date(year, 3, 12), days_before=2) for year in (2024, 2025)]
    lifts = {dt.date(2024, 3, 12): 2.0, dt.date(2024, 3, 11): 1.0 + 1.0 * 2 / 3, dt.date(2024, 3, 10): 1.0 + 1 / 3}
    future_lifts = {dt.date(2025, 3, 12): 2.0, dt.date(2025, 3, 11): 1.0 + 2 / 3}
    truth_days = weekday_centre("2024-01-01", "2025-03-17", lifts={**lifts, **future_lifts}, seed=11)
    history = truth_days[truth_days.index < pd.Timestamp("2025-03-10")]
    calendar = PeakCalendar(country="NL", rules=(), dates=campaign)
    forecast = Forecaster(calendar=calendar).fit_predict(history, 900, 7 * 96)
    frame = forecast.to_frame()
    actual = truth_days[truth_days.index >= pd.Timestamp("2025-03-10")]
    daily = actual.groupby(actual.index.normalize()).sum()
    predicted = frame.groupby(frame.index.normalize()).sum()
    peak = pd.Timestamp("2025-03-12")
    assert predicted.loc[peak, "count"] == pytest.approx(daily[peak], rel=0.2)
    assert predicted.loc[peak, "count"] > 1.6 * predicted.loc[pd.Timestamp("2025-03-13"), "count"]
    open_rows = frame.loc[actual.index]
    inside = (actual >= open_rows["lower"]) & (actual <= open_rows["upper"])
    assert inside[actual.index.normalize() == peak].mean() >= 0.7


def test_the_demo_peaks_fall_inside_the_band_from_the_calendar_alone():
    """Eight weeks of a seven-day centre up to the Monday before Black Friday 2026, the demo's own peak
    shape (Sinterklaas 1.8, Black Friday 1.5): with no earlier year, the calendar's uplifts carry them."""
    days = pd.date_range("2026-09-28", "2026-12-07", freq="D")
    factors = peak_factors(GREETING_CARDS, list(days.date))
    rng = np.random.default_rng(5)
    index = pd.date_range(days[0], days[-1], freq="h", inclusive="left")
    hour = np.asarray(index.hour)
    shape = np.where((hour >= 8) & (hour < 21), 20 + 15 * np.sin((hour - 8) / 13 * np.pi), 0.0)
    lift = np.array([factors.get(day, 1.0) for day in index.date])
    counts = pd.Series(rng.poisson(shape * lift).astype(float), index=index)
    origin = pd.Timestamp("2026-11-23")
    history = counts[counts.index < origin]
    forecast = Forecaster(calendar=PeakCalendar(country="NL", rules=DEFAULT_PEAK_RULES)).fit_predict(
        history, 3600, 14 * 24
    )
    frame = forecast.to_frame()
    actual = counts[(counts.index >= origin) & (counts.index < origin + pd.Timedelta(days=14))]
    daily = actual.groupby(actual.index.normalize()).sum()
    lower = frame["lower"].groupby(frame.index.normalize()).sum()
    upper = frame["upper"].groupby(frame.index.normalize()).sum()
    for day in (pd.Timestamp("2026-11-27"), pd.Timestamp("2026-12-04"), pd.Timestamp("2026-12-05")):
        assert lower[day] <= daily[day] <= upper[day], day
        hours = actual[actual.index.normalize() == day]
        rows = frame.loc[hours.index]
        assert ((hours >= rows["lower"]) & (hours <= rows["upper"])).mean() >= 0.7, day
    # Learned alone (no uplifts configured) the same history has nothing to learn the peaks from.
    plain = Forecaster(calendar=PeakCalendar(country="NL", rules=without_uplifts(DEFAULT_PEAK_RULES)))
    flat = plain.fit_predict(history, 3600, 14 * 24).to_frame()
    black_friday = flat[flat.index.normalize() == pd.Timestamp("2026-11-27")]
    assert black_friday["upper"].sum() < daily[pd.Timestamp("2026-11-27")]
