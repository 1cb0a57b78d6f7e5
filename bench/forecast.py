"""Benchmark: the forecaster's rolling-origin backtest on the real Anonymous Bank call data, and staffing speed.

Run from the repository root: `python bench/forecast.py [--origins 8] [--csv PATH]`. Prints MASE and WAPE
of our forecaster and of the seasonal naive (same interval one week earlier), their ratios and the
runtime, then the time to staff one day of 30-minute intervals for 50 queues (Erlang C and Erlang A), then
the time HiGHS takes to plan a realistic week of shifts: 60 core agents and 10 flexible-pool people over
7 days x 48 half hours, the requirement staffed (Erlang C, 80% in 20 s) from the data's last week.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, and bench/email.py would hide the standard library's email.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")

from contactpunt.workforce.erlang import staff_intervals  # noqa: E402
from contactpunt.workforce.forecasting import (  # noqa: E402
    Forecaster,
    PeakCalendar,
    aggregate,
    infer_interval_s,
    load_history,
)
from contactpunt.workforce.forecasting.backtest import backtest  # noqa: E402
from contactpunt.workforce.shifts.solver import Demand, ShiftOption, Worker, solve  # noqa: E402

DEFAULT_CSV = ROOT.parent / "shared" / "data" / "calls" / "anonbank_1999_arrivals_30min.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--holidays", default="IL", help="the data is from Israel")
    parser.add_argument("--plan-time-limit", type=float, default=60.0, help="shift-planning time limit in seconds")
    args = parser.parse_args()

    history = load_history(args.csv)
    interval_s = infer_interval_s(history.index) or 1800
    series = aggregate(history, interval_s)
    result = backtest(
        series,
        interval_s,
        horizon_s=7 * 86400,
        origins=args.origins,
        forecaster=Forecaster(calendar=PeakCalendar(country=args.holidays)),
    )
    print(f"forecast backtest: {args.csv.name}, {args.origins} origins x 7 days, {interval_s // 60}-minute intervals")
    print(f"{'origin':<22}{'model':<18}{'MASE ours':>10}{'MASE naive':>11}{'WAPE ours':>10}{'WAPE naive':>11}")
    for origin in result.origins:
        print(
            f"{origin.origin!s:<22}{origin.model:<18}{origin.ours_mase:>10.4f}{origin.naive_mase:>11.4f}"
            f"{origin.ours_wape:>10.4f}{origin.naive_wape:>11.4f}"
        )
    print(f"MASE ours {result.ours_mase:.4f}  seasonal naive {result.naive_mase:.4f}  ratio {result.mase_ratio:.4f}")
    print(f"WAPE ours {result.ours_wape:.4f}  seasonal naive {result.naive_wape:.4f}  ratio {result.wape_ratio:.4f}")
    print(f"backtest runtime {result.seconds:.1f} s")

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


if __name__ == "__main__":
    main()
