"""Check `contactpunt journey cohorts --json` against an independent pandas computation on an order file.

    .venv/bin/python bench/cohorts_check.py ORDERS.csv COHORTS.json [--by month|quarter] [--window-days 730]

ORDERS.csv has `customer_id` and `ordered_at` (every row one order; the date is the first ten characters, as
written); COHORTS.json is what `contactpunt journey cohorts --by ... --json` printed after importing the file.
Prints the largest absolute difference per figure and exits 1 when any exceeds 1e-9 or a cohort differs in size.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd


def reference(frame: pd.DataFrame, *, by: str, window_days: int, periods: int = 12) -> dict[str, dict[str, Any]]:
    """The issue's definitions, computed with pandas group-bys (no code shared with the product)."""
    frame = frame.dropna(subset=["customer_id"]).copy()
    frame = frame[frame["customer_id"].astype(str).str.strip().str.strip("0") != ""]
    frame["day"] = pd.to_datetime(frame["ordered_at"].astype(str).str[:10])
    first = frame.groupby("customer_id")["day"].min().rename("first")
    frame = frame.join(first, on="customer_id")
    months = (frame["day"].dt.year - frame["first"].dt.year) * 12 + frame["day"].dt.month - frame["first"].dt.month
    if by == "quarter":
        quarter = (frame["day"].dt.year * 4 + (frame["day"].dt.month - 1) // 3) - (
            frame["first"].dt.year * 4 + (frame["first"].dt.month - 1) // 3
        )
        frame["k"] = quarter
    else:
        frame["k"] = months
    frame["gap"] = (frame["day"] - frame["first"]).dt.days
    customers = first.to_frame()
    if by == "quarter":
        customers["cohort"] = (
            customers["first"].dt.year.astype(str) + "-Q" + ((customers["first"].dt.month - 1) // 3 + 1).astype(str)
        )
    else:
        customers["cohort"] = customers["first"].dt.strftime("%Y-%m")
    back = set(frame.loc[(frame["gap"] > 0) & (frame["gap"] <= window_days), "customer_id"])
    frame = frame.join(customers["cohort"], on="customer_id")
    result = {}
    for cohort, rows in frame.groupby("cohort"):
        members = set(rows["customer_id"])
        size = len(members)
        result[str(cohort)] = {
            "size": size,
            "returning_24m": len(members & back) / size,
            "bracket": [rows.loc[rows["k"] == k, "customer_id"].nunique() / size for k in range(1, periods + 1)],
            "on_or_after": [rows.loc[rows["k"] >= k, "customer_id"].nunique() / size for k in range(1, periods + 1)],
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orders", type=Path)
    parser.add_argument("cohorts", type=Path)
    parser.add_argument("--by", choices=["month", "quarter"], default="month")
    parser.add_argument("--window-days", type=int, default=730)
    args = parser.parse_args(argv)
    expected = reference(
        pd.read_csv(args.orders, dtype={"customer_id": str, "ordered_at": str}),
        by=args.by,
        window_days=args.window_days,
    )
    ours = {c["cohort"]: c for c in json.loads(args.cohorts.read_text())["cohorts"]}
    worst = {"returning_24m": 0.0, "bracket": 0.0, "on_or_after": 0.0}
    wrong = sorted(set(ours) ^ set(expected))
    for label, figures in expected.items():
        mine = ours.get(label)
        if mine is None:
            continue
        if mine["size"] != figures["size"]:
            wrong.append(f"{label}: size {mine['size']} != {figures['size']}")
        worst["returning_24m"] = max(worst["returning_24m"], abs(mine["returning_24m"] - figures["returning_24m"]))
        for key in ("bracket", "on_or_after"):
            worst[key] = max([worst[key], *(abs(a - b) for a, b in zip(mine[key], figures[key], strict=True))])
    print(json.dumps({"cohorts": len(expected), "max_abs_difference": worst, "mismatches": wrong[:20]}))
    return 1 if wrong or max(worst.values()) > 1e-9 else 0


if __name__ == "__main__":
    sys.exit(main())
