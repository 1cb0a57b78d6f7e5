"""`contactpunt forecast predict|backtest`: the product's forecaster on CSV files, for planners and measurement."""

from __future__ import annotations

import json
import math
from argparse import ArgumentParser
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from contactpunt.workforce.durations import parse_duration
from contactpunt.workforce.forecasting import (
    Forecaster,
    PeakCalendar,
    aggregate,
    infer_interval_s,
    load_history,
    load_timestamps,
)
from contactpunt.workforce.forecasting.backtest import backtest
from contactpunt.workforce.forecasting.calendar import DEFAULT_PEAK_RULES, without_uplifts

_PEAKS_HELP = (
    "peak days: 'learned' (default: the built-in peaks' lifts from the history alone), 'calendar' (with the "
    "built-in uplifts of a Dutch consumer centre until the history shows them) or 'none'"
)


def _number(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


class Command(BaseCommand):
    help = "Forecast contact volume per interval from a timestamp,count history, or backtest the forecaster."
    # It reads and writes CSV files only: Django's system checks (URLs, models) cost seconds of its budget.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        predict = actions.add_parser("predict", help="forecast the intervals listed in a timestamps CSV")
        predict.add_argument("--history", required=True, help="CSV with timestamp,count (local time)")
        predict.add_argument("--at", required=True, help="CSV with a timestamp column: the intervals to forecast")
        predict.add_argument("--out", required=True, help="CSV to write: timestamp,count,lower,upper (80%%)")
        predict.add_argument("--holidays", default="NL", help="country code for public holidays (default NL)")
        predict.add_argument("--peaks", choices=("learned", "calendar", "none"), default="learned", help=_PEAKS_HELP)
        predict.add_argument("--json", action="store_true", help="print a JSON summary")
        run = actions.add_parser("backtest", help="rolling-origin backtest against the weekly seasonal naive")
        run.add_argument("--csv", required=True, help="CSV with timestamp,count (local time)")
        run.add_argument("--horizon", default="7d", help="forecast horizon per origin (default 7d)")
        run.add_argument("--origins", type=int, default=8, help="number of origins (default 8)")
        run.add_argument("--holidays", default="NL", help="country code for public holidays (default NL)")
        run.add_argument("--peaks", choices=("learned", "calendar", "none"), default="learned", help=_PEAKS_HELP)
        run.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "predict":
                self._predict(options)
            else:
                self._backtest(options)
        except (ValueError, OSError, pd.errors.ParserError) as error:
            raise CommandError(str(error)) from error

    def _forecaster(self, options: dict[str, Any]) -> Forecaster:
        peaks = options["peaks"]
        rules = (
            ()
            if peaks == "none"
            else DEFAULT_PEAK_RULES
            if peaks == "calendar"
            else without_uplifts(DEFAULT_PEAK_RULES)
        )
        return Forecaster(calendar=PeakCalendar(country=options["holidays"] or None, rules=rules))

    def _predict(self, options: dict[str, Any]) -> None:
        history = load_history(options["history"])
        raw, wanted = load_timestamps(options["at"])
        if not raw:
            raise ValueError("the timestamps file lists no intervals")
        history_interval = infer_interval_s(pd.DatetimeIndex(history.index))
        interval_s = infer_interval_s(wanted) or history_interval
        if interval_s is None:
            raise ValueError("cannot infer the interval from one timestamp and a one-row history")
        series = aggregate(history, interval_s)
        last = series.index[-1]
        if wanted.min() <= last:
            raise ValueError(f"every timestamp to forecast must come after the history, which ends at {last}")
        steps = int((wanted.max() - last) / pd.Timedelta(seconds=interval_s))
        forecast = self._forecaster(options).fit_predict(series, interval_s, steps).to_frame()
        # Requested intervals off the grid take the interval that contains them.
        positions = forecast.index.get_indexer(wanted, method="pad")
        rows = forecast.iloc[positions]
        out = pd.DataFrame(
            {
                "timestamp": raw,
                "count": rows["count"].to_numpy().round(4),
                "lower": rows["lower"].to_numpy().round(4),
                "upper": rows["upper"].to_numpy().round(4),
            }
        )
        out.to_csv(options["out"], index=False)
        summary = {"rows": len(out), "interval_s": interval_s, "out": str(options["out"])}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(f"wrote {len(out)} forecasts at {interval_s // 60}-minute intervals to {options['out']}")

    def _backtest(self, options: dict[str, Any]) -> None:
        history = load_history(options["csv"])
        interval_s = infer_interval_s(pd.DatetimeIndex(history.index))
        if interval_s is None:
            raise ValueError("the history needs at least two intervals")
        series = aggregate(history, interval_s)
        result = backtest(
            series,
            interval_s,
            horizon_s=int(parse_duration(options["horizon"])),
            origins=options["origins"],
            forecaster=self._forecaster(options),
        )
        figures = {
            "interval_s": interval_s,
            "origins": len(result.origins),
            "ours": {"mase": _number(result.ours_mase), "wape": _number(result.ours_wape)},
            "seasonal_naive": {"mase": _number(result.naive_mase), "wape": _number(result.naive_wape)},
            "slot_mean_4w": {
                "mase": _number(result.mase["slot mean 4w"]),
                "wape": _number(result.wape["slot mean 4w"]),
            },
            "mase_ratio": _number(result.mase_ratio),
            "wape_ratio": _number(result.wape_ratio),
            "models": [origin.model for origin in result.origins],
            "seconds": round(result.seconds, 3),
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(f"{'':16}{'MASE':>10}{'WAPE':>10}")
        self.stdout.write(f"{'ours':16}{result.ours_mase:>10.4f}{result.ours_wape:>10.4f}")
        self.stdout.write(f"{'seasonal naive':16}{result.naive_mase:>10.4f}{result.naive_wape:>10.4f}")
        self.stdout.write(
            f"{'slot mean 4w':16}{result.mase['slot mean 4w']:>10.4f}{result.wape['slot mean 4w']:>10.4f}"
        )
        self.stdout.write(f"{'ratio':16}{result.mase_ratio:>10.4f}{result.wape_ratio:>10.4f}")
        self.stdout.write(f"{len(result.origins)} origins in {result.seconds:.1f} s")
