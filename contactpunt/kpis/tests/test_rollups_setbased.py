"""The set-based rebuild (`rollups_sql`, one query; the day level summed from it, `rollups_days`) writes exactly the
rows the definition folds from the units (`rollups_rows.rows_for` and `day_rows_for` over `facts.load_units`), over
generated event logs: events in any order and at any fraction
of a second, before the queue entry, holds and wrap-ups left open, transfers back and forth, internal and automatic
replies, corrections. Runs on SQLite, and on PostgreSQL when DATABASE_URL points there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.kpis import rollups, rollups_rows
from contactpunt.kpis.facts import CONTACT, LEG, load_units
from contactpunt.kpis.intervals import zone
from contactpunt.kpis.models import DayRollup, IntervalRollup, RollupParts
from contactpunt.kpis.tests.helpers import arrive, event

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 22, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=2)
NAMES = ("presented", "answered", "hold_started", "hold_ended", "transferred", "ended", "wrap_started", "wrapped",
         "abandoned", "replied")  # fmt: skip


event_spec = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        # Milliseconds after the arrival, some before it (two systems' clocks), some past the 15-minute edge.
        "offset_ms": st.integers(-3000, 1_500_000),
        "agent": st.one_of(st.none(), st.integers(0, 2)),
        "to_queue": st.integers(0, 3),
        "flag": st.sampled_from([None, "internal", "automatic"]),
        "corrects": st.one_of(st.none(), st.integers(0, 8)),
    }
)
contact_spec = st.fixed_dictionaries(
    {
        "queue": st.integers(0, 3),
        "arrival_us": st.integers(0, 2 * 3600 * 10**6 - 1),
        "events": st.lists(event_spec, max_size=8),
    }
)


def _record(spec: dict[str, Any], world: dict[str, Any]) -> None:
    at = START + dt.timedelta(microseconds=spec["arrival_us"])
    contact = arrive(world["queues"][spec["queue"]], at)
    recorded: list[int] = []
    for e in spec["events"]:
        extra: dict[str, Any] = {}
        if e["name"] == "transferred":
            extra["to_queue"] = world["queues"][e["to_queue"]]
        data: dict[str, Any] = {}
        if e["flag"] and e["name"] == "replied":
            data[e["flag"]] = True
        if e["corrects"] is not None and e["corrects"] < len(recorded):
            data["corrects"] = recorded[e["corrects"]]
        agent = world["agents"][e["agent"]] if e["agent"] is not None else None
        when = at + dt.timedelta(milliseconds=e["offset_ms"])
        recorded.append(event(contact, e["name"], when, agent, data=data, **extra))


def _key(row: RollupParts) -> tuple[Any, ...]:
    moment = row.start if isinstance(row, IntervalRollup) else row.day if isinstance(row, DayRollup) else None
    return (moment, row.level, row.queue_id, row.channel, row.team_id)


def _as_dict(row: RollupParts, *, approx: bool) -> dict[str, Any]:
    counted = ("offered", "answered", "abandoned", "short_abandons", "waiting", "handled", "transferred",
               "answered_within_sl", "answered_within", "wait_histogram")  # fmt: skip
    values = {name: getattr(row, name) for name in counted}
    for name in ("wait_answered_s", "talk_s", "hold_s", "wrap_s"):
        values[name] = pytest.approx(getattr(row, name), abs=1e-6) if approx else getattr(row, name)
    return values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(contact_spec, max_size=8))
def test_the_set_based_rebuild_writes_the_rows_of_the_definition(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, specs: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            for spec in specs:
                _record(spec, world)
        limits = rollups_rows.thresholds()
        expected = {
            _key(row): _as_dict(row, approx=True)
            for level in (CONTACT, LEG)
            for row in rollups_rows.rows_for(load_units(START, END, level=level), limits)
        }
        # The day level: the same units folded per local day (START is 23:00 in Amsterdam: two days).
        by_day = {
            _key(row): _as_dict(row, approx=True)
            for level in (CONTACT, LEG)
            for row in rollups_rows.day_rows_for(load_units(START, END, level=level), limits, zone())
        }
        rollups.rebuild(START, END)
        written = {_key(row): _as_dict(row, approx=False) for row in IntervalRollup.objects.all()}
        assert written == expected
        assert {_key(row): _as_dict(row, approx=False) for row in DayRollup.objects.all()} == by_day
        transaction.set_rollback(True)


def test_a_rebuild_keeps_the_intervals_outside_its_period(world: dict[str, Any]) -> None:
    queue, agent = world["queues"][0], world["agents"][0]
    inside = arrive(queue, START + dt.timedelta(minutes=20))
    event(inside, "answered", START + dt.timedelta(minutes=20, seconds=12), agent)
    event(inside, "ended", START + dt.timedelta(minutes=25), agent)
    outside = arrive(queue, END + dt.timedelta(minutes=5))
    event(outside, "abandoned", END + dt.timedelta(minutes=5, seconds=3))
    rollups.rebuild(START, END + dt.timedelta(minutes=15))
    assert rollups.rebuild(START, END) == 2  # the contact inside, at both levels
    rows = sorted(IntervalRollup.objects.values_list("start", "level", "offered", "answered", "abandoned", "handled"))
    quarter = START + dt.timedelta(minutes=15)
    assert rows == [
        (quarter, "contact", 1, 1, 0, 1),
        (quarter, "leg", 1, 1, 0, 1),
        (END, "contact", 1, 0, 1, 0),
        (END, "leg", 1, 0, 1, 0),
    ]
