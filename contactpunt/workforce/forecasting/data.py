"""Reading interval histories: `timestamp,count` CSVs in local time, gaps allowed, interval inferred."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

_OFFSET_SUFFIX = r"(?:[+-]\d{2}:?\d{2}|Z)$"


def parse_local_timestamps(values: pd.Series) -> pd.DatetimeIndex:
    """Return naive wall-clock timestamps; a UTC offset on a value is dropped, its wall time kept."""
    text = values.astype(str).str.strip().str.replace(_OFFSET_SUFFIX, "", regex=True)
    try:
        parsed = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise ValueError(f"unreadable timestamp: {error}") from error
    return pd.DatetimeIndex(parsed)


def load_history(path: str | Path) -> pd.Series:
    """Return the history as a float Series indexed by interval start (naive local time), sorted.

    Needs `timestamp` and `count` columns; other columns are ignored; duplicate timestamps are summed.
    """
    frame = pd.read_csv(path)
    missing = {"timestamp", "count"} - set(frame.columns)
    if missing:
        raise ValueError(f"history needs the columns timestamp and count; missing: {', '.join(sorted(missing))}")
    counts = pd.to_numeric(frame["count"], errors="coerce")
    if counts.isna().any():
        raise ValueError("history has a count that is not a number")
    if (counts < 0).any():
        raise ValueError("history has a negative count")
    series = pd.Series(counts.to_numpy(dtype=float), index=parse_local_timestamps(frame["timestamp"]))
    series = series.groupby(level=0).sum().sort_index()
    if series.empty:
        raise ValueError("history is empty")
    return series


def load_timestamps(path: str | Path) -> tuple[list[str], pd.DatetimeIndex]:
    """Return the raw `timestamp` strings of a CSV (to echo them back) and their parsed wall times."""
    frame = pd.read_csv(path, dtype={"timestamp": str})
    if "timestamp" not in frame.columns:
        raise ValueError("the timestamps file needs a timestamp column")
    raw = [str(value) for value in frame["timestamp"]]
    return raw, parse_local_timestamps(frame["timestamp"])


def infer_interval_s(index: pd.DatetimeIndex) -> int | None:
    """Return the interval in seconds: the most common step between consecutive distinct timestamps.

    The mode rather than the minimum, so gaps (closed days) and a stray DST hour do not fool it. None
    for fewer than two distinct timestamps.
    """
    unique = index.unique().sort_values()
    if len(unique) < 2:
        return None
    steps = np.diff(unique.as_unit("s").asi8)
    steps = steps[steps > 0]
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def aggregate(series: pd.Series, interval_s: int) -> pd.Series:
    """Return the history on a regular grid of `interval_s`, finer intervals summed, gaps filled with 0.

    An interval absent from the history had no contacts (closed days are usually left out of exports).
    """
    if interval_s <= 0 or interval_s % 60:
        raise ValueError("the interval must be a positive whole number of minutes")
    native = infer_interval_s(pd.DatetimeIndex(series.index))
    if native is not None and native > interval_s:
        raise ValueError(f"history interval ({native} s) is coarser than the requested interval ({interval_s} s)")
    if native is not None and interval_s % native:
        raise ValueError(f"requested interval ({interval_s} s) is not a multiple of the history's ({native} s)")
    rule = f"{interval_s // 60}min"
    regular = series.resample(rule, origin="start_day").sum()
    return regular.astype(float).asfreq(rule, fill_value=0.0)
