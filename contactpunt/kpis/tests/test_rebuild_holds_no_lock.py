"""Rebuilding the figures computes each day before its transaction: SQLite takes its one write lock at BEGIN
(IMMEDIATE), and a reply or wrap-up waited behind the whole computation (14 s on the demo, see the report of
issue 13); now the lock is held only to swap the day's rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from contactpunt.kpis import dayparts, rollups
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.models import DayPart, IntervalRollup
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User

DAY = dt.date(2026, 3, 10)


@pytest.mark.django_db(transaction=True)
def test_the_figures_of_a_day_are_computed_outside_the_write_transaction(
    monkeypatch: pytest.MonkeyPatch, phone_queue: Any, agent: User
) -> None:
    from zoneinfo import ZoneInfo

    start, end = day_bounds(DAY, DAY, ZoneInfo("Europe/Amsterdam"))
    call(phone_queue, start + dt.timedelta(hours=10), wait=10, talk=60, agent=agent)
    seen: list[bool] = []

    def watched(original: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            seen.append(connection.in_atomic_block)
            return original(*args, **kwargs)

        return run

    monkeypatch.setattr(rollups, "load_units", watched(getattr(rollups, "load_units")))  # noqa: B009
    monkeypatch.setattr(dayparts, "build", watched(dayparts.build))
    rollups.rebuild(start, end)
    dayparts.rebuild(DAY, DAY)

    assert seen and not any(seen)  # every computation ran with no transaction open
    assert IntervalRollup.objects.exists() and DayPart.objects.exists()  # and the rows were written
