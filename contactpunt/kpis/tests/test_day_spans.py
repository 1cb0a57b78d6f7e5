"""`intervals.day_spans`: the runs of days the rebuilds work in."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from contactpunt.kpis.intervals import day_spans


@given(first=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
       days=st.integers(min_value=0, max_value=200), size=st.integers(min_value=1, max_value=40))  # fmt: skip
def test_the_runs_cover_every_day_once_in_order_and_none_is_longer_than_asked(
    first: dt.date, days: int, size: int
) -> None:
    last = first + dt.timedelta(days=days - 1)  # days == 0: an empty period
    spans = day_spans(first, last, size)
    covered = [start + dt.timedelta(days=n) for start, end in spans for n in range((end - start).days + 1)]
    assert covered == [first + dt.timedelta(days=n) for n in range(days)]
    assert all(1 <= (end - start).days + 1 <= size for start, end in spans)
    # Only the last run may be shorter than asked.
    assert all((end - start).days + 1 == size for start, end in spans[:-1])
