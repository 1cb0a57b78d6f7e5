"""Forecasting on small synthetic histories made here: weekday patterns, gaps, peaks, the commands."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from contactpunt.workforce.forecasting import PeakCalendar, aggregate, infer_interval_s, load_history
from contactpunt.workforce.forecasting.calendar import PeakDate, black_friday, mothers_day_nl
from contactpunt.workforce.forecasting.days import day_table
from contactpunt.workforce.forecasting.effects import learn_day_effects
from contactpunt.workforce.forecasting.metrics import mase, wape, weekly_naive_scale


def synthetic(weeks: int, *, interval_min: int = 60, seed: int = 7, start: str = "2023-01-01") -> pd.Series:
    """Poisson counts with an intraday hump, a Sunday-Thursday week (Friday low, Saturday closed)."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=weeks * 7 * 24 * 60 // interval_min, freq=f"{interval_min}min")
    hour = index.hour + index.minute / 60
    intraday = np.where((hour >= 7) & (hour < 22), np.sin((hour - 7) / 15 * np.pi) + 0.2, 0.0)
    weekday_level = np.array([10.0, 9.0, 9.0, 9.0, 3.0, 0.0, 11.0])[index.day_of_week]  # Monday=0 ... Sunday=6
    mean = intraday * weekday_level * interval_min / 60
    return pd.Series(rng.poisson(mean).astype(float), index=index)


def write_history(path: Path, series: pd.Series, *, drop_saturdays: bool = False) -> None:
    frame = pd.DataFrame({"timestamp": series.index.strftime("%Y-%m-%d %H:%M:%S"), "count": series.to_numpy()})
    frame["note"] = "ignored"
    if drop_saturdays:
        frame = frame[series.index.day_of_week != 5]
    frame.to_csv(path, index=False)


def test_peak_rules_follow_the_calendar():
    assert mothers_day_nl(2024) == dt.date(2024, 5, 12)  # second Sunday of May
    assert black_friday(2024) == dt.date(2024, 11, 29)
    keys = PeakCalendar(country="NL").keys_by_date([dt.date(2024, 12, 25), dt.date(2024, 5, 11), dt.date(2024, 3, 5)])
    assert "holiday:Christmas Day" in keys[dt.date(2024, 12, 25)]
    assert keys[dt.date(2024, 5, 11)] == ["mothers_day:-1"]
    assert dt.date(2024, 3, 5) not in keys


def test_a_campaign_lift_is_learned_from_earlier_years_and_the_prior_holds_without_them():
    days = pd.date_range("2022-01-01", "2024-05-31", freq="D")  # the 2024 campaign is still ahead
    series = pd.Series(100.0, index=days)
    for year in (2022, 2023):
        series[pd.Timestamp(year, 6, 1)] = 250.0
    calendar = PeakCalendar(
        country=None,
        rules=(),
        dates=[PeakDate("campaign", dt.date(year, 6, 1), uplift=1.5) for year in (2022, 2023, 2024)],
    )
    effects, factor = learn_day_effects(day_table(series, 86400), calendar)
    # Two peak days at 2.5 outweigh the prior of 1.5 (weight half a day): (2 * 1.5 + 0.25) / 2.5 = 1.3 above 1.
    assert effects.lift("campaign").lift == pytest.approx(2.3)
    assert factor[days.get_loc(pd.Timestamp(2022, 6, 1))] == pytest.approx(2.3)
    assert factor[days.get_loc(pd.Timestamp(2022, 6, 2))] == 1.0
    # Without history the configured uplift applies, with a band from no effect to twice the uplift.
    fresh, _ = learn_day_effects(day_table(series.iloc[:100], 86400), calendar)
    assert fresh.factors(["campaign:+0"]) == pytest.approx((1.5, 1.0, 2.0))


def test_interval_inference_and_summing_to_a_coarser_interval(tmp_path):
    fine = synthetic(1, interval_min=15)
    path = tmp_path / "history.csv"
    write_history(path, fine.iloc[:-8], drop_saturdays=True)
    history = load_history(path)
    assert infer_interval_s(pd.DatetimeIndex(history.index)) == 900
    hourly = aggregate(history, 3600)
    assert hourly.sum() == pytest.approx(fine.iloc[:-8].sum())
    assert set(np.diff(hourly.index.as_unit("s").asi8)) == {3600}
    with pytest.raises(ValueError, match="coarser"):
        aggregate(aggregate(history, 3600), 900)


def test_metrics():
    actual, forecast = np.array([10.0, 0.0, 5.0]), np.array([8.0, 1.0, 5.0])
    assert wape(actual, forecast) == pytest.approx(3 / 15)
    assert mase(actual, forecast, 2.0) == pytest.approx(0.5)
    assert weekly_naive_scale(np.array([1.0, 2.0, 4.0, 4.0]), 2) == pytest.approx(2.5)


def run(*args: str) -> str:
    out = StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


def test_predict_command_learns_a_sunday_to_thursday_week(tmp_path):
    series = synthetic(6)
    history_path, at_path, out_path = tmp_path / "h.csv", tmp_path / "at.csv", tmp_path / "out.csv"
    write_history(history_path, series.iloc[: 5 * 7 * 24], drop_saturdays=True)
    future = series.index[5 * 7 * 24 :]
    pd.DataFrame({"timestamp": future.strftime("%Y-%m-%d %H:%M:%S")}).to_csv(at_path, index=False)
    summary = json.loads(
        run("predict", "--history", str(history_path), "--at", str(at_path), "--out", str(out_path), "--json")
    )
    assert summary == {"rows": len(future), "interval_s": 3600, "out": str(out_path)}
    result = pd.read_csv(out_path)
    assert list(result.columns) == ["timestamp", "count", "lower", "upper"]
    assert list(result["timestamp"]) == list(future.strftime("%Y-%m-%d %H:%M:%S"))
    assert (result["lower"] <= result["count"]).all()
    assert (result["count"] <= result["upper"]).all()
    by_day = result.groupby(pd.to_datetime(result["timestamp"]).dt.day_of_week)["count"].sum()
    assert by_day[5] < 1.0  # Saturday closed: learned from the gaps, not assumed
    assert by_day[6] > 2.5 * by_day[4]  # Sunday busy (level 11), Friday quiet (level 3)
    actual = series.iloc[5 * 7 * 24 :].to_numpy()
    assert wape(actual, result["count"].to_numpy()) < 0.35
    covered = ((actual >= result["lower"]) & (actual <= result["upper"])).mean()
    assert 0.6 < covered <= 1.0


def test_predict_rejects_timestamps_inside_the_history(tmp_path):
    series = synthetic(3)
    write_history(tmp_path / "h.csv", series)
    pd.DataFrame({"timestamp": ["2023-01-02 10:00:00"]}).to_csv(tmp_path / "at.csv", index=False)
    with pytest.raises(CommandError, match="after the history"):
        run(
            "predict",
            "--history",
            str(tmp_path / "h.csv"),
            "--at",
            str(tmp_path / "at.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        )


def test_backtest_command_reports_ours_against_the_seasonal_naive(tmp_path):
    series = synthetic(5)
    write_history(tmp_path / "h.csv", series)
    figures = json.loads(
        run("backtest", "--csv", str(tmp_path / "h.csv"), "--horizon", "7d", "--origins", "2", "--json")
    )
    assert figures["origins"] == 2
    assert figures["interval_s"] == 3600
    for key in ("ours", "seasonal_naive"):
        assert 0 < figures[key]["mase"] < 3
        assert 0 < figures[key]["wape"] < 1
    assert figures["mase_ratio"] == pytest.approx(figures["ours"]["mase"] / figures["seasonal_naive"]["mase"], rel=1e-3)
    # On stationary Poisson data a model that averages weeks beats last week's noise.
    assert figures["ours"]["wape"] < figures["seasonal_naive"]["wape"]
    text = run("backtest", "--csv", str(tmp_path / "h.csv"), "--origins", "1")
    assert "seasonal naive" in text
