"""Rollups agree with the raw computation over the events, also after late and corrected events."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import Channel
from contactpunt.kpis import metrics, offered, rollups, rollups_rows, tasks
from contactpunt.kpis.facts import CONTACT, LEG, load_units
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.models import DayRollup, DirtyContact, IntervalRollup
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.ops import periodic

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
START = dt.datetime(2026, 3, 2, 22, 0, tzinfo=dt.UTC)  # 23:00 in Amsterdam: the streams cross midnight
END = START + dt.timedelta(hours=3)
#: The whole local days the streams fall in (2 and 3 March): read from the day rows where no dirty contact touches.
DAYS = day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 3), AMS)
S = dt.timedelta(seconds=1)


contact_spec = st.fixed_dictionaries(
    {
        "queue": st.integers(0, 3),
        "arrival": st.integers(0, 3 * 3600 - 1),
        "outcome": st.sampled_from(["answered", "abandoned", "waiting", "transferred"]),
        "wait": st.integers(0, 400),
        "talk": st.integers(1, 900),
        "hold": st.integers(0, 60),
        "wrap": st.integers(0, 120),
        "agent": st.integers(0, 2),
        "to_queue": st.integers(0, 2),
        "wait2": st.integers(0, 200),
        "late": st.booleans(),
        "corrected": st.booleans(),
    }
)


def _record(spec: dict[str, Any], world: dict[str, Any], held_back: list[Any]) -> None:
    queue = world["queues"][spec["queue"]]
    agent = world["agents"][spec["agent"]]
    at = START + spec["arrival"] * S
    if spec["outcome"] == "abandoned":
        call(queue, at, wait=spec["wait"])
        return
    contact = arrive(queue, at)
    if spec["outcome"] == "waiting":
        return
    answered_at = at + spec["wait"] * S
    if queue.channel == Channel.EMAIL:
        # A written contact is answered by its first public reply.
        if spec["corrected"]:
            wrong = event(contact, "replied", answered_at + 30 * S, agent)
            held_back.append(lambda: event(contact, "replied", answered_at, agent, data={"corrects": wrong}))
        elif spec["late"]:
            held_back.append(lambda: event(contact, "replied", answered_at, agent))
        else:
            event(contact, "replied", answered_at, agent)
        return
    if spec["corrected"]:
        wrong = event(contact, "answered", answered_at + 30 * S, agent)
        held_back.append(lambda: event(contact, "answered", answered_at, agent, data={"corrects": wrong}))
    elif spec["late"]:
        held_back.append(lambda: event(contact, "answered", answered_at, agent))
    else:
        event(contact, "answered", answered_at, agent)
    talk_end = answered_at + (spec["talk"] + spec["hold"]) * S
    if spec["hold"]:
        event(contact, "hold_started", answered_at + S, agent)
        event(contact, "hold_ended", answered_at + (1 + spec["hold"]) * S, agent)
    if spec["outcome"] == "transferred":
        event(contact, "transferred", talk_end, agent, to_queue=world["queues"][spec["to_queue"]])
        second = world["agents"][(spec["agent"] + 1) % 3]
        event(contact, "answered", talk_end + spec["wait2"] * S, second)
        talk_end += (spec["wait2"] + spec["talk"]) * S
        agent = second
    event(contact, "ended", talk_end, agent)
    if spec["wrap"]:
        event(contact, "wrapped", talk_end + spec["wrap"] * S, agent)


def _approx(figures: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: {m: pytest.approx(v) if isinstance(v, float) else v for m, v in f.items()} for k, f in figures.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(contact_spec, max_size=12))
def test_rollups_agree_with_the_events(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, specs: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        held_back: list[Any] = []
        with django_capture_on_commit_callbacks(execute=True):
            for spec in specs:
                _record(spec, world, held_back)
        rollups.refresh()
        with django_capture_on_commit_callbacks(execute=True):
            for late in held_back:
                late()
        marks = DirtyContact.objects.count()
        # Before the refresh the late events' intervals are computed from the events while read (reads never
        # write: the marks stay); after it they come from the rebuilt rows.
        _compare_with_events()
        assert DirtyContact.objects.count() == marks
        rollups.refresh()
        assert not DirtyContact.objects.exists()
        _compare_with_events()
        # The refresh summed the days again: each day row is the definition's fold of the day's units.
        limits = rollups_rows.thresholds()
        days = {_day_key(r): r for level in (CONTACT, LEG) for r in rollups_rows.day_rows_for(
            load_units(*DAYS, level=level), limits, AMS)}  # fmt: skip
        assert {_day_key(r): _day_values(r) for r in DayRollup.objects.all()} == {
            k: _approx({"": _day_values(r)})[""] for k, r in days.items()
        }
        transaction.set_rollback(True)


def _day_key(row: DayRollup) -> tuple[Any, ...]:
    return (row.day, row.level, row.queue_id, row.channel, row.team_id)


def _day_values(row: DayRollup) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ("offered", "answered", "abandoned", "short_abandons", "waiting",
            "handled", "transferred", "wait_answered_s", "talk_s", "hold_s", "wrap_s", "answered_within_sl",
            "answered_within", "wait_histogram")}  # fmt: skip


def _compare_with_events() -> None:
    for (start, end), by in [((s, e), by) for s, e in ((START, END), DAYS)
                             for by in (None, "queue", "channel", "team", "day", "interval")]:  # fmt: skip
        level = LEG if by in ("queue", "team") else CONTACT
        units = load_units(start, end, level=level)
        raw = {r["group"]: {k: r[k] for k in _KEYS} for r in metrics.report(start, end, by=by, zone=AMS, units=units)}
        raw = {g: f for g, f in raw.items() if f["offered"]}
        cached = rollups.queue_figures(start, end, by=by, zone=AMS)
        assert {g: {k: f[k] for k in _KEYS} for g, f in cached.items()} == _approx(raw), by
        # Live: the last, unsettled hour comes from the events, counted as the live service level counts it.
        now = START + 150 * 60 * S
        live = {r["group"]: {k: r[k] for k in _KEYS} for r in metrics.report(start, end, by=by, zone=AMS, now=now)}
        live = {g: f for g, f in live.items() if f["offered"]}
        cached = rollups.queue_figures(start, end, by=by, zone=AMS, now=now)
        assert {g: {k: f[k] for k in _KEYS} for g, f in cached.items()} == _approx(live), by


_KEYS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "service_level",
    "asa_s",
    "aht_s",
    "abandon_rate",
    "transfer_rate",
    "reachability",
    "handled",
    "waiting",
)


def test_rebuild_all_writes_the_same_rows_as_the_live_updates(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call(world["queues"][0], START, wait=10, talk=60, agent=world["agents"][0])
        call(world["queues"][2], START + 900 * S, wait=3)
    rollups.refresh()
    live = sorted(IntervalRollup.objects.values_list("start", "level", "queue_id", "offered", "answered", "abandoned"))
    assert rollups.rebuild_all() == 4
    assert (
        sorted(IntervalRollup.objects.values_list("start", "level", "queue_id", "offered", "answered", "abandoned"))
        == live
    )
    assert live == [
        (START, "contact", world["queues"][0].pk, 1, 1, 0),
        (START, "leg", world["queues"][0].pk, 1, 1, 0),
        (START + 900 * S, "contact", world["queues"][2].pk, 1, 0, 1),
        (START + 900 * S, "leg", world["queues"][2].pk, 1, 0, 1),
    ]


def test_a_threshold_the_rollups_lack_is_refused(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call(world["queues"][0], START, wait=10, talk=60, agent=world["agents"][0])
    rollups.refresh()  # the periodic job (before it, the dirty interval is computed from the events)
    with pytest.raises(rollups_rows.NotInRollups):
        rollups.queue_figures(START, END, threshold_s=17)
    assert rollups.queue_figures(START, END, threshold_s=15)["all"]["service_level"] == 1.0
    with pytest.raises(rollups_rows.NotInRollups):
        rollups.queue_figures(START, END, by="agent")


def test_the_dashboard_report_from_rollups_equals_the_raw_report(
    world, email_queue, django_capture_on_commit_callbacks
):
    agent = world["agents"][0]
    with django_capture_on_commit_callbacks(execute=True):
        call(world["queues"][0], START, wait=10, talk=60, agent=agent)
        call(world["queues"][1], START + 1000 * S, wait=50, talk=60, agent=world["agents"][1])
        call(world["queues"][2], START + 2000 * S, wait=3)
        mail = arrive(email_queue, START + 10 * S, caller="a@example.nl")
        event(mail, "replied", START + 3600 * S, agent)
    for by in (None, "queue", "department", "day"):
        cached = rollups.report(START, END, by=by, zone=AMS)
        raw = metrics.report(START, END, by=by, zone=AMS)
        assert cached == [{k: pytest.approx(v) if isinstance(v, float) else v for k, v in r.items()} for r in raw]
    # Service level is for phone and chat: the e-mail queue has none, the centre's counts the 3 calls only
    # (the short 3-s abandon left out: 1 of 2 within 20 s), not the e-mail answered after an hour.
    by_queue = {r["group"]: r for r in rollups.report(START, END, by="queue", zone=AMS)}
    assert (by_queue["email-general"]["service_level"], by_queue["email-general"]["first_response_within_norm"]) == (
        None,
        1.0,
    )
    assert rollups.report(START, END, zone=AMS)[0]["service_level"] == 1 / 2


def test_the_periodic_job_refreshes_the_rollups(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call(world["queues"][0], START, wait=10, talk=60, agent=world["agents"][0])
    assert DirtyContact.objects.count() == 1
    assert tasks.refresh_rollups.call() == 1
    assert not DirtyContact.objects.exists()
    assert IntervalRollup.objects.filter(start=START, offered=1).count() == 2
    assert "contactpunt.kpis.tasks.refresh_rollups" in {s.name for s in periodic.schedules()}


def test_offered_per_interval_reads_the_rollups_and_the_unsettled_hour(world, django_capture_on_commit_callbacks):
    first, second = world["queues"][0], world["queues"][1]
    with django_capture_on_commit_callbacks(execute=True):
        call(first, START + 60 * S, wait=10, talk=60, agent=world["agents"][0])
        call(second, START + 1200 * S, wait=3)
    # Not marked dirty: only the events know it, and it lies in the last hour before `now`.
    call(first, START + 9000 * S, wait=5)
    now = START + 3 * 3600 * S
    quarter = dt.timedelta(minutes=15)
    assert offered.offered_per_interval(START, END, now=now) == {START: 1, START + quarter: 1, START + 10 * quarter: 1}
    assert offered.offered_per_interval(START, END, queue_ids={second.pk}, now=now) == {START + quarter: 1}
