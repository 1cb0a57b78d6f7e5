"""Data the journey tests share, written through the journey's services."""

from __future__ import annotations

import datetime as dt

from contactpunt.journey.services import OrderInput, record_order


def stay(customer_id: int, ext: str, starts: dt.date, ends: dt.date, stage: str = "booked") -> None:
    """A park stay of the customer from `starts` to `ends`, at `stage`."""
    record_order(
        OrderInput(
            source="parks",
            external_id=ext,
            kind="stay",
            ordered_on=dt.date(2026, 1, 5),
            customer_id=customer_id,
            starts_on=starts,
            ends_on=ends,
            stage=stage,
        )
    )
