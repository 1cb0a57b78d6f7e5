"""The selection rule on calendars made here (none of them the development data's): never worse than the plain
baselines on its own backtest, a model chosen over them only when its advantage is not luck, no peak effect
learned from noise, and the plain same-slot mean the one the reports measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from contactpunt.workforce.forecasting import Forecaster, PeakCalendar
from contactpunt.workforce.forecasting.backtest import baselines
from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, PeakDate, without_uplifts
from contactpunt.workforce.forecasting.days import day_table
from contactpunt.workforce.forecasting.effects import learn_day_effects
from contactpunt.workforce.forecasting.models import BASELINES, CALENDAR_BASELINES, candidates, prepare
from contactpunt.workforce.forecasting.selection import _chance_of


def centre(
    first: str,
    weeks: int,
    *,
    open_days: tuple[int, ...],
    interval_s: int,
    country: str | None,
    seed: int,
    growth_per_week: float = 0.0,
) -> pd.Series:
    """Poisson counts of a centre open 09:00-17:00 on `open_days` (Monday 0), as an export gives them: no rows
    for closed days nor for the country's public holidays; a weekday pattern and an optional weekly growth."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(first, periods=weeks * 7 * 86400 // interval_s, freq=f"{interval_s}s")
    hour = index.hour + index.minute / 60
    daily = interval_s >= 86400
    keep = np.isin(index.day_of_week, open_days) & (daily | ((hour >= 9) & (hour < 17)))
    if country:
        closed = PeakCalendar(country=country, rules=()).keys_by_date(index.normalize().unique().date)
        keep &= ~np.isin(index.normalize().date, list(closed))
    index, hour = index[keep], hour[keep]
    level = np.array([1.4, 1.1, 1.0, 0.9, 0.8, 0.6, 0.5])[index.day_of_week]
    shape = 1.0 if daily else 0.5 + np.sin((hour - 9) / 8 * np.pi)
    growth = (1 + growth_per_week) ** (np.asarray((index - index[0]).days) / 7)
    per_hour = 400.0 if daily else 30.0 * interval_s / 3600
    return pd.Series(rng.poisson(per_hour * level * shape * growth).astype(float), index=index)


CALENDARS: dict[str, dict[str, Any]] = {
    "Belgian Tuesday-Saturday centre, 30 minutes": {
        "first": "2031-01-07",
        "weeks": 22,
        "open_days": (1, 2, 3, 4, 5),
        "interval_s": 1800,
        "country": "BE",
    },
    "German seven-day centre, daily, over Christmas": {
        "first": "2030-09-02",
        "weeks": 18,
        "open_days": (0, 1, 2, 3, 4, 5, 6),
        "interval_s": 86400,
        "country": "DE",
    },
    "Sunday-Thursday centre, 15 minutes, no holidays": {
        "first": "2032-02-01",
        "weeks": 14,
        "open_days": (6, 0, 1, 2, 3),
        "interval_s": 900,
        "country": None,
    },
}


@pytest.mark.parametrize("name", sorted(CALENDARS))
@pytest.mark.parametrize("seed", [1, 2])
def test_the_choice_is_never_worse_than_the_baselines_on_its_own_backtest(name, seed):
    setting = dict(CALENDARS[name])
    interval_s = int(setting["interval_s"])
    history = centre(**setting, seed=seed)
    calendar = PeakCalendar(country=setting["country"], rules=without_uplifts(DEFAULT_PEAK_RULES))
    forecast = Forecaster(calendar=calendar).fit_predict(history, interval_s, 7 * 86400 // interval_s)
    mae = forecast.selection_mae
    assert forecast.model in mae
    for baseline in (*BASELINES, *CALENDAR_BASELINES):
        assert mae[forecast.model] <= mae[baseline]
    # The forecast keeps the learned week: the days the centre never opens are zero.
    by_day = forecast.to_frame()["count"].groupby(forecast.index.normalize()).sum()
    closed = [day for day in by_day.index if day.day_of_week not in setting["open_days"]]
    assert all(by_day[day] == 0.0 for day in closed)
    assert (by_day > 0).sum() >= 1


def test_a_model_replaces_the_baselines_when_it_is_clearly_better():
    # Volume growing 4% a week: the same-slot means lag a month behind, a trend-following daily level does not.
    history = centre(
        "2031-03-03", 20, open_days=(0, 1, 2, 3, 4), interval_s=1800, country=None, seed=5, growth_per_week=0.04
    )
    forecast = Forecaster(calendar=PeakCalendar(country=None, rules=())).fit_predict(history, 1800, 7 * 48)
    mae = forecast.selection_mae
    assert forecast.model not in (*BASELINES, *CALENDAR_BASELINES)
    assert mae[forecast.model] < 0.9 * min(mae[name] for name in (*BASELINES, *CALENDAR_BASELINES))


def test_the_reality_check_rarely_takes_luck_for_an_advantage_and_sees_a_real_one():
    rng = np.random.default_rng(11)
    # Twelve choices no better than the fallback, eight origins: the best of them looks better by luck, and
    # the one-standard-error rule would take it far more often than one time in ten.
    lucky = [_chance_of(rng.normal(0.0, 1.0, size=(12, 8))) < 0.05 for _ in range(300)]
    beyond_one_error = []
    for _ in range(300):
        differences = rng.normal(0.0, 1.0, size=(12, 8))
        beyond_one_error.append((differences.mean(axis=1) + differences.std(axis=1, ddof=1) / np.sqrt(8)).min() < 0)
    assert np.mean(lucky) <= 0.08
    assert np.mean(beyond_one_error) >= 0.3
    # One of them better by one and a half standard deviations at every origin on average: seen nearly always.
    seen = []
    for _ in range(100):
        differences = rng.normal(0.0, 1.0, size=(12, 8))
        differences[3] -= 1.5
        seen.append(_chance_of(differences) < 0.05)
    assert np.mean(seen) >= 0.7
    # Better by the same amount at every origin is certain; equal at every origin is not better.
    assert _chance_of(np.array([[-1.0] * 6, [0.0] * 6])) < 0.05
    assert _chance_of(np.zeros((3, 6))) == 1.0


def test_a_peak_rule_the_history_does_not_show_learns_no_effect_from_noise():
    # Two years of a noisy daily series with none of the built-in (Dutch consumer) peaks in it.
    days = pd.date_range("2029-01-01", "2030-12-31", freq="D")
    rng = np.random.default_rng(4)
    noisy = pd.Series(rng.normal(1000.0, 150.0, len(days)).clip(1.0), index=days)
    effects, factor = learn_day_effects(
        day_table(noisy, 86400), PeakCalendar(country=None, rules=without_uplifts(DEFAULT_PEAK_RULES))
    )
    assert effects.peaks and all(peak.lift == 1.0 for peak in effects.peaks.values())
    assert np.all(factor == 1.0)
    # The same noise with a real campaign doubling its day in both years: learned (not a prior: none is set).
    campaign = [PeakDate("campaign", dt.date(year, 6, 12)) for year in (2029, 2030, 2031)]
    lifted = noisy.copy()
    lifted[[pd.Timestamp(2029, 6, 12), pd.Timestamp(2030, 6, 12)]] *= 2.0
    effects, _ = learn_day_effects(day_table(lifted, 86400), PeakCalendar(country=None, rules=(), dates=campaign))
    assert effects.lift("campaign").lift > 1.5


def test_the_plain_same_slot_mean_is_the_reports_baseline_when_days_are_missing():
    history = centre("2031-01-06", 13, open_days=(0, 1, 2, 3, 4), interval_s=1800, country=None, seed=8)
    missing = [pd.Timestamp("2031-03-05"), pd.Timestamp("2031-03-12"), pd.Timestamp("2031-03-20")]
    history = history[~history.index.normalize().isin(missing)]
    table = day_table(history, 1800)
    start = table.days.get_loc(pd.Timestamp("2031-03-24"))  # a Monday; the last four weeks miss three days
    models = {model.name: model for model in candidates()}
    prepared = prepare(table.head(start), PeakCalendar(country=None, rules=()))
    week = table.days[start : start + 7]
    for name, report_name in (("slot_mean_4w", "slot mean 4w"), ("seasonal_naive", "seasonal naive")):
        ours = models[name].predict(prepared, week)
        for offset in range(7):
            expected = baselines(table, start + offset, start)[report_name]
            is_open = week[offset].day_of_week < 5
            np.testing.assert_allclose(ours[offset], expected if is_open else 0.0)
