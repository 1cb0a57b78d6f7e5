"""Benchmark: the forecaster's rolling-origin backtest on the real Anonymous Bank call data, and staffing speed.

Run from the repository root: `python bench/forecast.py [--origins 8] [--csv PATH]`. Prints MASE and WAPE
of our forecaster and of the seasonal naive (same interval one week earlier), their ratios and the
runtime, then the time to staff one day of 30-minute intervals for 50 queues (Erlang C and Erlang A).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactpunt.config.settings_test")

from contactpunt.workforce.erlang import staff_intervals  # noqa: E402
from contactpunt.workforce.forecasting import (  # noqa: E402
    Forecaster,
    PeakCalendar,
    aggregate,
    backtest,
    infer_interval_s,
    load_history,
)

DEFAULT_CSV = ROOT.parent / "shared" / "data" / "calls" / "anonbank_1999_arrivals_30min.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--holidays", default="IL", help="the data is from Israel")
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


if __name__ == "__main__":
    main()
