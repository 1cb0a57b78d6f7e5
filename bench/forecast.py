"""Benchmark: the forecaster's rolling-origin backtest beside the plain baselines on every development set
and variant, and staffing and shift-planning speed.

Run from the repository root: `python bench/forecast.py [--origins 8] [--sets "NAME;..."]`. For each set it
prints MASE and WAPE of our forecaster, of the seasonal naive (same interval one week earlier) and of the
same-slot mean of the last four weeks, the ratio of ours to each, and says LOSES where ours is worse than
a baseline on that set. The sets are the real Anonymous Bank arrivals (a 24/7 voice-response unit, Israel,
1999) and variants of it that look like other centres: 15- and 30-minute intervals, a Sunday-Thursday, a
Sunday-Friday and a Monday-Friday week (the other days left out of the history, as exports of a closed day
do) with a few weekdays missing as a holiday would, ten weeks of history, three weekday variants with the
Dutch holidays configured on the Israeli data (the wrong country, as the command's default gives another
country's centre), a centre closed on the Dutch public holidays, and daily series (Christmas inside the
backtest); and the demo's arrivals drawn from its simulator's rates, over two years (last year's peaks in
the history) and over thirteen weeks (the peaks from the calendar alone), the backtest over November and
December. Origins are Mondays, each forecasting seven days. Then the time to staff one day of 30-minute
intervals for 50 queues (Erlang C and Erlang A), then the time HiGHS takes to plan a week of shifts for 60
agents and a pool of 10.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, and bench/email.py would hide the standard library's email.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")

from contactpunt.workforce.erlang import staff_intervals  # noqa: E402
from contactpunt.workforce.forecasting import Forecaster, PeakCalendar, aggregate, load_history  # noqa: E402
from contactpunt.workforce.forecasting.backtest import BASELINE_NAMES, backtest  # noqa: E402
from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, without_uplifts  # noqa: E402
from contactpunt.workforce.shifts.solver import Demand, MeetingNeed, ShiftOption, Worker, solve  # noqa: E402

DATA = Path(os.environ.get("CONTACTPUNT_CALL_DATA", ROOT.parent / "shared" / "data" / "calls"))
# Weekdays left out of the weekday-only variants as if the centre had been closed for a holiday.
MISSING_DAYS = ("1999-11-10", "1999-11-25", "1999-12-14")


def _six_to_three(history: pd.Series) -> pd.Series:
    """Split each 6-minute count evenly over its two 3-minute halves, so 15-minute sums can be made."""
    halves = pd.concat([history / 2, (history / 2).set_axis(history.index + pd.Timedelta(minutes=3))])
    return halves.sort_index()


def _only_weekdays(series: pd.Series, open_days: set[int]) -> pd.Series:
    """Leave the closed weekdays and the missing days out, as an export of a weekday-only centre would."""
    index = pd.DatetimeIndex(series.index)
    missing = index.normalize().isin(pd.DatetimeIndex(MISSING_DAYS))
    return series[np.isin(index.day_of_week, sorted(open_days)) & ~missing]


def _closed_on_holidays(series: pd.Series, country: str) -> pd.Series:
    """Leave a country's public holidays out, as the export of a centre closed on them would."""
    index = pd.DatetimeIndex(series.index)
    closed = PeakCalendar(country=country, rules=()).keys_by_date(index.normalize().unique().date)
    return series[~np.isin(index.normalize().date, list(closed))]


class DevSet(NamedTuple):
    """A development set: its loader (the history as an export would give it), its interval in seconds, the
    holidays' country when not the bench's (a variant that looks like a centre elsewhere), and whether its
    calendar carries the product's Dutch peak uplifts (the demo) or learns the peaks from the history alone."""

    load: Callable[[], pd.Series]
    interval_s: int
    country: str | None = None
    product_peaks: bool = False


def demo_arrivals(first: str, last: str, *, seed: int = 1) -> pd.Series:
    """The demo organisation's first contacts per quarter hour, drawn from the simulator's own rates (its
    weekday factors, trend, queues' hours and peaks: Sinterklaas, Black Friday, Christmas, ...), without a
    database: Poisson counts around the hourly rates the demo's engine uses."""
    import django

    django.setup()
    from contactpunt.simulation.scenario import peak_factors
    from contactpunt.simulation.scenarios import GREETING_CARDS as scenario

    days = pd.date_range(first, last, freq="D", inclusive="left")
    factors = peak_factors(scenario, list(days.date))
    hourly = np.zeros(24)
    for queue in scenario.queues:
        hourly += queue.share * np.asarray(queue.hourly) / (sum(queue.hourly) or 1.0)
    rng = np.random.default_rng(seed)
    rows = []
    for number, day in enumerate(days):
        factor = scenario.weekday_factors[day.day_of_week] * (1 + scenario.trend_per_year) ** (number / 365)
        factor *= factors.get(day.date(), 1.0)
        rates = np.repeat(scenario.contacts_per_hour * 24 * factor * hourly / 4, 4)
        rows.append(rng.poisson(rates))
    index = pd.date_range(first, periods=len(days) * 96, freq="15min")
    return pd.Series(np.concatenate(rows).astype(float), index=index)


def development_sets() -> dict[str, DevSet]:
    """Return every development set by name."""

    def thirty() -> pd.Series:
        return load_history(DATA / "anonbank_1999_arrivals_30min.csv")

    def fine() -> pd.Series:
        return _six_to_three(load_history(DATA / "anonbank_1999_arrivals_6min.csv"))

    def weekdays(load: Callable[[], pd.Series], open_days: set[int]) -> Callable[[], pd.Series]:
        return lambda: _only_weekdays(load(), open_days)

    def dutch(load: Callable[[], pd.Series]) -> Callable[[], pd.Series]:
        return lambda: _closed_on_holidays(load(), "NL")

    def since(load: Callable[[], pd.Series], first: str) -> Callable[[], pd.Series]:
        return lambda: load().loc[first:]

    return {
        "bank 30min, 7 days": DevSet(thirty, 1800),
        "bank 15min, 7 days": DevSet(fine, 900),
        "bank 15min, Sun-Thu, 3 days missing": DevSet(weekdays(fine, {6, 0, 1, 2, 3}), 900),
        "bank 15min, Sun-Fri, 3 days missing": DevSet(weekdays(fine, {6, 0, 1, 2, 3, 4}), 900),
        "bank 15min, Mon-Fri, 3 days missing": DevSet(weekdays(fine, {0, 1, 2, 3, 4}), 900),
        "bank 30min, Mon-Fri, 3 days missing": DevSet(weekdays(thirty, {0, 1, 2, 3, 4}), 1800),
        # Ten weeks of history before the first origin (a new centre, or a short export).
        "bank 30min, Mon-Fri, 10 weeks": DevSet(since(weekdays(thirty, {0, 1, 2, 3, 4}), "1999-08-23"), 1800),
        # The same Israeli weekday centre with the Dutch holidays configured (the command's default): the wrong
        # country, its holidays ordinary days here and Israel's unknown.
        "bank 15min, Mon-Fri, 3 days missing, NL calendar": DevSet(weekdays(fine, {0, 1, 2, 3, 4}), 900, "NL"),
        "bank 30min, Mon-Fri, 3 days missing, NL calendar": DevSet(weekdays(thirty, {0, 1, 2, 3, 4}), 1800, "NL"),
        "bank 30min, Mon-Fri, 10 weeks, NL calendar": DevSet(
            since(weekdays(thirty, {0, 1, 2, 3, 4}), "1999-08-23"), 1800, "NL"
        ),
        # A Dutch centre: closed on the Dutch public holidays (Christmas inside the last origin's week).
        "bank 30min, 7 days, NL holidays closed": DevSet(dutch(thirty), 1800, "NL"),
        "bank daily, 7 days": DevSet(thirty, 86400),
        "bank daily, Mon-Fri, NL holidays closed": DevSet(dutch(weekdays(thirty, {0, 1, 2, 3, 4})), 86400, "NL"),
        "demo 15min, 2 years (peaks seen)": DevSet(lambda: demo_arrivals("2025-01-05", "2026-12-28"), 900, "NL", True),
        "demo 15min, 13 weeks (calendar)": DevSet(lambda: demo_arrivals("2026-08-10", "2026-12-28"), 900, "NL", True),
    }


def bench_forecast(origins: int, country: str, only: set[str] | None) -> pd.Series:
    """Backtest every set; print each beside its baselines. Return the last set's series for planning."""
    names = ("ours", *BASELINE_NAMES)
    series = pd.Series(dtype=float)
    summary = []
    for name, dev in development_sets().items():
        if only and name not in only:
            continue
        interval_s = dev.interval_s
        series = aggregate(dev.load(), interval_s)
        # The demo is a Dutch consumer centre: the product's calendar, its uplifts until the history shows them.
        rules = DEFAULT_PEAK_RULES if dev.product_peaks else without_uplifts(DEFAULT_PEAK_RULES)
        calendar = PeakCalendar(country=dev.country or country, rules=rules)
        result = backtest(series, interval_s, horizon_s=7 * 86400, origins=origins, weekday=0,
                          forecaster=Forecaster(calendar=calendar))  # fmt: skip
        print(f"\n{name}: {origins} Monday origins x 7 days, {interval_s // 60}-minute intervals")
        print(f"{'origin':<12}{'model':<58}" + "".join(f"{n:>16}" for n in names))
        for origin in result.origins:
            print(f"{origin.origin.date()!s:<12}{origin.model[:56]:<58}"
                  + "".join(f"{origin.mase[n]:>16.4f}" for n in names))  # fmt: skip
        per_call = np.mean([origin.seconds for origin in result.origins])
        print(f"{'MASE':<70}" + "".join(f"{result.mase[n]:>16.4f}" for n in names))
        print(f"{'WAPE':<70}" + "".join(f"{result.wape[n]:>16.4f}" for n in names))
        verdicts = []
        for baseline in BASELINE_NAMES:
            ratio = result.ratio(baseline)
            verdicts.append(f"ours / {baseline} {ratio:.3f}" + ("  LOSES" if ratio > 1 else ""))
        print("; ".join(verdicts) + f"; 80% band holds {result.coverage:.1%} of actuals; {per_call:.1f} s per forecast")
        summary.append((name, result))
    print("\nsummary (MASE; L: ours loses to that baseline)")
    print(f"{'set':<52}" + "".join(f"{n:>16}" for n in names) + f"{'vs naive':>10}{'vs mean':>10}")
    for name, result in summary:
        ratios = "".join(f"{result.ratio(b):>9.3f}{'L' if result.ratio(b) > 1 else ' '}" for b in BASELINE_NAMES)
        print(f"{name:<52}" + "".join(f"{result.mase[n]:>16.4f}" for n in names) + ratios)
    losses = [(name, b) for name, result in summary for b in BASELINE_NAMES if result.ratio(b) > 1]
    for name, baseline in losses:
        print(f"ours LOSES to the {baseline} on {name}")
    if not losses:
        print("ours beats or equals both baselines on every set")
    return series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument(
        "--holidays",
        default="IL",
        help="the country of the sets without their own (the data is from Israel; NL "
        "forces the wrong country on all of them)",
    )
    parser.add_argument("--sets", default="", help="set names separated by semicolons (default: all)")
    parser.add_argument("--plan-time-limit", type=float, default=60.0, help="shift-planning time limit in seconds")
    parser.add_argument("--no-staffing", action="store_true", help="only the forecast backtests")
    args = parser.parse_args()
    only = {name.strip() for name in args.sets.split(";") if name.strip()} or None
    bench_forecast(args.origins, args.holidays, only)
    if args.no_staffing:
        return
    series = aggregate(load_history(DATA / "anonbank_1999_arrivals_30min.csv"), 1800)
    interval_s = 1800

    rng = np.random.default_rng(1)
    shape = np.sin(np.linspace(0, np.pi, 48)) + 0.05
    queues = [rng.uniform(20, 2000) * shape for _ in range(50)]
    for label, patience in (("Erlang C", None), ("Erlang A (patience 180 s)", 180.0)):
        started = time.monotonic()
        for volumes in queues:
            staff_intervals(
                list(volumes),
                interval_s=1800,
                aht_s=300,
                threshold_s=20,
                target_service_level=0.8,
                max_occupancy=0.9,
                patience_s=patience,
            )
        print(f"staffing 50 queues x 48 intervals, {label}: {time.monotonic() - started:.2f} s")

    bench_shift_planning(series, interval_s, time_limit_s=args.plan_time_limit)


def bench_shift_planning(series: object, interval_s: int, *, time_limit_s: float) -> None:
    """Plan a week of 30-minute intervals for 60 agents (24-40 h) and a pool of 10 (09:00-17:00, up to 16 h)."""
    import pandas as pd

    assert isinstance(series, pd.Series)
    per_day = 86400 // interval_s
    week = series.iloc[-7 * per_day :].to_numpy()
    # The bank's calls, scaled so that the busiest half hour needs about 45 agents at an AHT of 240 s.
    scale = 45 * 0.8 * interval_s / 240 / max(week.max(), 1.0)
    required = [
        r.agents
        for r in staff_intervals(list(week * scale), interval_s=interval_s, aht_s=240, threshold_s=20,
                                 target_service_level=0.8)
    ]  # fmt: skip
    hours = interval_s / 3600
    options = []
    for day in range(7):
        for start in range(int(7 / hours), int(16 / hours) + 1):  # eight hours with half an hour's break at 4 h
            options.append(ShiftOption(f"day{start}", day, day * per_day + start, int(8 / hours), 8.0,
                                       breaks=((int(4 / hours), max(1, int(0.5 / hours))),)))  # fmt: skip
        for start in range(int(12 / hours), int(20 / hours) + 1):  # four hours, the evening and the peaks
            options.append(ShiftOption(f"half{start}", day, day * per_day + start, int(4 / hours), 4.0))
    workers = [Worker(n, f"agent{n}", frozenset(), 24.0, 40.0, 30.0 + n % 3) for n in range(60)]
    pool_slots = frozenset(day * per_day + t for day in range(5) for t in range(int(9 / hours), int(17 / hours)))
    workers += [Worker(100 + n, f"pool{n}", frozenset(), 0.0, 16.0, 40.0, True, pool_slots) for n in range(10)]
    started = time.monotonic()
    plan = solve([Demand("bank", required)], options, workers, time_limit_s=time_limit_s)
    elapsed = time.monotonic() - started
    print(
        f"shift planning 60 agents + 10 pool, 7 days x {per_day} intervals, {len(options)} shift options: "
        f"{elapsed:.2f} s, status {plan.status}, MIP gap {plan.mip_gap}, shifts {len(plan.assignments)}, "
        f"under-coverage {plan.under_total:.0f} of {sum(required)} agent-intervals, pool hours {plan.pool_hours:.0f}"
    )
    # The same week with room for every agent's weekly team meeting: twelve teams of five, six moments a day.
    moments = tuple(
        (day, day * per_day + int(h / hours)) for day in range(7) for h in (9.5, 10.5, 11.5, 13.5, 14.5, 15.5)
    )
    teams = [MeetingNeed(f"team{t}", frozenset(range(5 * t, 5 * t + 5)), moments, 1) for t in range(12)]
    started = time.monotonic()
    met = solve([Demand("bank", required)], options, workers, time_limit_s=time_limit_s, meetings=teams)
    elapsed = time.monotonic() - started
    seated = sum(len(ids) for *_rest, ids in met.meetings)
    print(
        f"  with the weekly team meeting (12 teams of 5): {elapsed:.2f} s, status {met.status}, MIP gap {met.mip_gap}, "
        f"{len(met.meetings)} sessions seating {seated} of 60, under-coverage {met.under_total:.0f}, "
        f"cost {met.cost:.0f} against {plan.cost:.0f} without"
    )


if __name__ == "__main__":
    main()
