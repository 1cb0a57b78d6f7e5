"""Rebuilding the figures computes each day before its transaction: SQLite takes its one write lock at BEGIN
(IMMEDIATE), and a reply or wrap-up waited behind the whole computation (14 s on the demo, see the report of
issue 13); now the lock is held only to swap the day's rows. (PostgreSQL inserts the set-based rollups and the case
resolutions in one statement each: it takes no lock that a reply waits on.)"""

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
def test_the_figures_of_a_day_are_computed_outside_the_write_transaction(phone_queue: Any, agent: User) -> None:
    from zoneinfo import ZoneInfo

    start, end = day_bounds(DAY, DAY, ZoneInfo("Europe/Amsterdam"))
    call(phone_queue, start + dt.timedelta(hours=10), wait=10, talk=60, agent=agent)
    seen: list[tuple[str, bool]] = []

    def computation(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # The set-based statements (`rollups_sql`, `dayparts_sql`): what they do and whether a transaction is open.
        # (and the units the written day parts and the cost parts share, computed once into a temporary table).
        if any(part in sql for part in ("WITH entering", "WITH RECURSIVE roots", "inbound AS MATERIALIZED",
                                        "SELECT * FROM kpis_units")):  # fmt: skip
            seen.append(("insert" if "INSERT INTO" in sql else "select", connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(computation):
        rollups.rebuild(start, end)
        dayparts.rebuild(DAY, DAY)

    # The interval rollups; the units of the day, then inbound contacts, cases, written units, cost parts.
    assert len(seen) == 6
    # Every computation that only reads ran with no transaction open.
    assert all(not atomic for what, atomic in seen if what == "select")
    if connection.vendor == "postgresql":
        # The rollups and the case resolutions go from one INSERT … SELECT into their table, in the swap's
        # transaction: PostgreSQL holds no lock a reply waits on meanwhile.
        assert [atomic for what, atomic in seen if what == "insert"] == [True, True]
    else:
        assert all(what == "select" for what, _atomic in seen)
    assert IntervalRollup.objects.exists() and DayPart.objects.exists()  # and the rows were written
