"""The cohort figures on small hand-computed cases, and against an independent pandas computation."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from contactpunt.journey.cohorts import compute

D = dt.date


def test_a_hand_computed_month_cohort() -> None:
    pairs = [
        (1, D(1997, 1, 5)),  # first order; back in February (k=1) and in April (k=3)
        (1, D(1997, 2, 28)),
        (1, D(1997, 4, 1)),
        (2, D(1997, 1, 31)),  # two orders on the first day: not a return
        (2, D(1997, 1, 31)),
        (3, D(1997, 1, 1)),  # back in the same month on a later day: a return, but no bracket
        (3, D(1997, 1, 20)),
        (4, D(1997, 1, 10)),  # back 731 days later: outside the 730-day window; k=24
        (4, D(1999, 1, 11)),
        (5, D(1997, 3, 3)),  # a March cohort of one, back exactly 730 days later
        (5, D(1999, 3, 3)),
    ]
    january, march = compute(pairs, by="month", periods=12)
    assert (january.label, january.size, march.label, march.size) == ("1997-01", 4, "1997-03", 1)
    assert january.returning == 2 / 4  # customers 1 and 3
    assert march.returning == 1.0
    assert january.bracket == [0.25, 0.0, 0.25] + [0.0] * 9
    # in k or later: customer 1 (latest k=3) and customer 4 (latest k=24)
    assert january.on_or_after == [0.5, 0.5, 0.5] + [0.25] * 9
    assert march.bracket == [0.0] * 12 and march.on_or_after == [1.0] * 12


def test_quarters_and_the_window() -> None:
    pairs = [(1, D(2020, 3, 31)), (1, D(2020, 4, 1)), (2, D(2020, 1, 1)), (2, D(2020, 12, 31))]
    (q1,) = compute(pairs, by="quarter", periods=4, window_days=30)
    assert q1.label == "2020-Q1" and q1.size == 2
    assert q1.bracket == [0.5, 0.0, 0.5, 0.0]
    assert q1.on_or_after == [1.0, 0.5, 0.5, 0.0]
    assert q1.returning == 0.5  # customer 2 returned after 365 days, outside 30


def _pandas_cohorts(frame: pd.DataFrame, window_days: int = 730) -> dict[str, dict[str, object]]:
    """An independent computation, row by row in pandas, of the issue's definitions."""
    frame = frame.copy()
    frame["day"] = pd.to_datetime(frame["ordered_at"].str[:10])
    first = frame.groupby("customer_id")["day"].min().rename("first")
    frame = frame.join(first, on="customer_id")
    frame["k"] = (frame["day"].dt.year - frame["first"].dt.year) * 12 + frame["day"].dt.month - frame["first"].dt.month
    frame["gap"] = (frame["day"] - frame["first"]).dt.days
    customers = first.to_frame()
    customers["cohort"] = customers["first"].dt.strftime("%Y-%m")
    back = frame[(frame["gap"] > 0) & (frame["gap"] <= window_days)]["customer_id"].unique()
    customers["returned"] = customers.index.isin(back)
    result = {}
    for cohort, members in customers.groupby("cohort"):
        ids = set(members.index)
        rows = frame[frame["customer_id"].isin(ids)]
        size = len(ids)
        result[str(cohort)] = {
            "size": size,
            "returning_24m": members["returned"].sum() / size,
            "bracket": [rows[rows["k"] == k]["customer_id"].nunique() / size for k in range(1, 13)],
            "on_or_after": [rows[rows["k"] >= k]["customer_id"].nunique() / size for k in range(1, 13)],
        }
    return result


@pytest.mark.django_db
def test_the_command_agrees_with_pandas_on_generated_orders(tmp_path: Path) -> None:
    rng = random.Random(21)
    lines = ["order_id,customer_id,ordered_at,amount"]
    for n in range(3000):
        customer = rng.randint(1, 700)
        day = D(2009, 12, 1) + dt.timedelta(days=int(rng.expovariate(1 / 200)) % 900)
        hour = rng.choice(["00:05", "12:00", "23:59"])
        lines.append(f"O{n},C{customer},{day.isoformat()} {hour}:00+05:00,{rng.randint(1, 9999) / 100}")
    file = tmp_path / "orders.csv"
    file.write_text("\n".join(lines) + "\n")
    call_command("journey", "import-orders", str(file), "--json", stdout=StringIO())
    out = StringIO()
    call_command("journey", "cohorts", "--by", "month", "--json", stdout=out)
    ours = {c["cohort"]: c for c in json.loads(out.getvalue())["cohorts"]}
    expected = _pandas_cohorts(pd.read_csv(file, dtype=str))
    assert set(ours) == set(expected)
    for label, figures in expected.items():
        assert ours[label]["size"] == figures["size"]
        assert ours[label]["returning_24m"] == pytest.approx(figures["returning_24m"], abs=1e-12)
        assert ours[label]["bracket"] == pytest.approx(figures["bracket"], abs=1e-12)
        assert ours[label]["on_or_after"] == pytest.approx(figures["on_or_after"], abs=1e-12)
