"""Handle-time forecast: the volume-weighted mean handle time per weekday and interval of recent weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd

_WEEKS = 8


def forecast_handle_time(
    handled: pd.Series, handle_seconds: pd.Series, future: pd.DatetimeIndex, interval_s: int
) -> np.ndarray:
    """Return the expected AHT in seconds for each future interval start.

    `handled` (contacts handled) and `handle_seconds` (their total handle time) share one regular index.
    Each future interval gets sum(seconds)/sum(handled) over the same weekday and interval of the last
    eight weeks; where those saw no contacts, the same interval on any day; else the overall mean.
    Raises ValueError when the history handled nothing.
    """
    recent_start = handled.index[-1] - pd.Timedelta(weeks=_WEEKS)
    count = handled[handled.index > recent_start]
    seconds = handle_seconds.reindex(count.index).fillna(0.0)
    if count.sum() <= 0:
        raise ValueError("no handled contacts in the history")
    index = pd.DatetimeIndex(count.index)
    slot = (index.hour * 3600 + index.minute * 60) // interval_s
    keys = pd.DataFrame({"weekday": index.day_of_week, "slot": slot, "n": count.to_numpy(), "s": seconds.to_numpy()})
    by_weekday_slot = keys.groupby(["weekday", "slot"])[["n", "s"]].sum()
    by_slot = keys.groupby("slot")[["n", "s"]].sum()
    overall = float(seconds.sum() / count.sum())
    future_slot = (future.hour * 3600 + future.minute * 60) // interval_s
    result = np.empty(len(future))
    for position, (weekday, slot_number) in enumerate(zip(future.day_of_week, future_slot, strict=True)):
        value = overall
        if (weekday, slot_number) in by_weekday_slot.index and by_weekday_slot.loc[(weekday, slot_number), "n"] > 0:
            row = by_weekday_slot.loc[(weekday, slot_number)]
            value = float(row["s"] / row["n"])
        elif slot_number in by_slot.index and by_slot.loc[slot_number, "n"] > 0:
            value = float(by_slot.loc[slot_number, "s"] / by_slot.loc[slot_number, "n"])
        result[position] = value
    return result
