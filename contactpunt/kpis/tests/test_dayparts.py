"""The day parts give every figure over cases and customers exactly as its definition over the events does:
FCR with its 7-day look-ahead, repeat contacts, the Customer Speed Index and the written channels' response,
also when later contacts, resolutions and reopenings change days that were already built."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import BusinessCalendar, Case, Channel, ContactReason, OpeningHours, Queue
from contactpunt.contacts.services.cases import reopen_case, resolve_case
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.contacts.services.types import ThreadRef
from contactpunt.kpis import cost, cost_parts, dayparts, metrics, rollups, survey_drivers
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.models import CaseResolution, DayPart, DirtyContact
from contactpunt.kpis.tests import dayparts_definition as definition
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.people.models import Role, Team, User

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
FIRST = dt.date(2026, 3, 23)  # the clocks go forward on the 29th: a 23-hour day inside the period
START, END = day_bounds(FIRST, FIRST + dt.timedelta(days=9), AMS)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)
KEYS = ("fcr", "fcr_cases", "repeat_rate", "identified_share", "csi_median_s", "csi_p90_s", "csi_open_cases",
        "first_response_median_s", "first_response_within_norm")  # fmt: skip


@pytest.fixture
def world(phone_queue: Queue, email_queue: Queue, team: Team, department: Any) -> dict[str, Any]:
    chat = Queue.objects.create(code="chat", name="Chat", channel=Channel.CHAT)
    # A written queue on business hours (weekdays 08:00-17:30, Dutch holidays): its response and norm are counted
    # on opening time only, across the clocks going forward.
    office = BusinessCalendar.objects.create(name="Kantoor")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=office, weekday=weekday, opens=dt.time(8), closes=dt.time(17, 30))
    form = Queue.objects.create(code="webform", name="Webformulier", channel=Channel.WEBFORM, calendar=office,
                                response_norm_s=4 * 3600)  # fmt: skip
    other = Team.objects.create(name="Team Zuid", department=department)
    billing = ContactReason.objects.create(code="billing", name="Factuur")
    agents = [
        User.objects.create_user(username="a1", password="x", role=Role.AGENT, team=team),
        User.objects.create_user(username="a2", password="x", role=Role.AGENT, team=other),
    ]
    # Paid time for cost to serve: a1 logged in all along, a2 from the third day and off for a day on the sixth.
    record_agent_state(agent=agents[0], state="available", occurred_at=START - 2 * dt.timedelta(days=1))
    record_agent_state(agent=agents[1], state="available", occurred_at=START + 50 * H)
    record_agent_state(agent=agents[1], state="offline", occurred_at=START + 5 * 24 * H)
    record_agent_state(agent=agents[1], state="break", occurred_at=START + 6 * 24 * H)
    return {
        "queues": [phone_queue, chat, email_queue, form],
        "agents": agents,
        "reasons": [
            None,
            ContactReason.objects.create(code="billing-wrong", name="Foute factuur", parent=billing),
            ContactReason.objects.create(code="billing-copy", name="Kopie", parent=billing),
            ContactReason.objects.create(code="delivery", name="Levering"),
        ],
    }


contact_spec = st.fixed_dictionaries(
    {
        "customer": st.sampled_from(["", "+31201111111", "+31202222222", "a@example.nl"]),
        "queue": st.integers(0, 3),
        "arrival_h": st.integers(-30, 10 * 24),  # some before the period: repeats and FCR look across its edge
        "answered": st.booleans(),
        "resolve_after_h": st.one_of(st.none(), st.integers(0, 60)),
        "reason": st.integers(0, 3),
        "reopen": st.booleans(),
        "agent": st.integers(0, 1),
        "late": st.booleans(),
        # hours later the call is transferred to another queue (a leg that may enter it on a later day)
        "transfer_h": st.one_of(st.none(), st.integers(0, 30)),
        # a written contact in an earlier one's conversation joins its case (two inbound contacts before resolution)
        "thread": st.sampled_from([None, None, "t1", "t2"]),
    }
)


def _record(spec: dict[str, Any], world: dict[str, Any], later: list[Any]) -> None:
    queue = world["queues"][spec["queue"]]
    agent = world["agents"][spec["agent"]]
    at = START + spec["arrival_h"] * H
    if queue.channel not in Channel.realtime():
        thread = ThreadRef(conversation_id=spec["thread"]) if spec["thread"] else None
        contact = arrive(queue, at, caller=spec["customer"] or "", thread=thread)
        if spec["answered"]:
            event(contact, "replied", at + 2 * H, agent)
    elif spec["answered"] and spec["transfer_h"] is not None:
        contact = arrive(queue, at, caller=spec["customer"])
        event(contact, "answered", at + 10 * S, agent)
        moved = at + spec["transfer_h"] * H + 60 * S
        second = world["agents"][1 - spec["agent"]]

        def transfer() -> None:
            target = world["queues"][1 if queue.channel == Channel.PHONE else 0]
            event(contact, "transferred", moved, agent, to_queue=target)
            event(contact, "answered", moved + 20 * S, second)
            event(contact, "ended", moved + 200 * S, second)

        (later.append if spec["late"] else lambda f: f())(transfer)
    elif spec["answered"]:
        contact = call(queue, at, wait=10, talk=120, agent=agent, caller=spec["customer"])
    else:
        contact = call(queue, at, wait=30, caller=spec["customer"])
    if spec["resolve_after_h"] is None:
        return
    resolved_at = at + spec["resolve_after_h"] * H + 5 * dt.timedelta(minutes=1)

    def resolve() -> None:
        contact.case.refresh_from_db()
        if contact.case.status in ("resolved", "merged"):
            return
        resolve_case(case=contact.case, by=agent, occurred_at=resolved_at, reason=world["reasons"][spec["reason"]])
        if spec["reopen"]:
            reopen_case(case=contact.case, by=agent, occurred_at=resolved_at + 3 * H)

    # A late resolution arrives after the days were built: it must dirty them.
    (later.append if spec["late"] else lambda f: f())(resolve)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    specs=st.lists(contact_spec, max_size=10),
    now_days=st.sampled_from([4, 9, 12, 30]),
    cut_quarters=st.integers(min_value=1, max_value=10 * 96 - 1),
)
def test_the_day_parts_agree_with_the_definitions(
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    specs: list[dict[str, Any]],
    now_days: int,
    cut_quarters: int,
) -> None:
    now = START + dt.timedelta(days=now_days, hours=7)
    cache.clear()  # a day read in part is kept by its stored parts' ids, which a rolled-back example hands out again
    with transaction.atomic():
        later: list[Any] = []
        with django_capture_on_commit_callbacks(execute=True):
            for spec in specs:
                _record(spec, world, later)
        with time_machine.travel(now, tick=False):
            rollups.refresh()
        with django_capture_on_commit_callbacks(execute=True):
            for late in later:
                late()
        with time_machine.travel(now, tick=False), _reads_of_parts() as stale_read:
            for by in (None, "queue", "department", "channel", "team", "agent"):
                rows = rollups.report(START, END, by=by, zone=AMS)
                from_parts = {r["group"]: {k: r[k] for k in KEYS} for r in rows}
                raw = {r["group"]: {k: r[k] for k in KEYS} for r in metrics.report(START, END, by=by, zone=AMS)}
                assert from_parts == {g: {k: pytest.approx(v) for k, v in f.items()} for g, f in raw.items()}, by
            # Every read came from the parts, the days the late events dirtied built from the events beside them.
            assert len(stale_read) == 6
            assert all(days == stale_read[0] for days in stale_read)
            assert bool(stale_read[0]) <= bool(later)
            # A period that ends within a day (the same part of the period before a running one) on a quarter hour:
            # its last day built from the events up to that moment, beside the stored days.
            cut = START + dt.timedelta(minutes=15 * cut_quarters)
            dayparts.figures(START, cut, by=None, zone=AMS, now=now)  # answers: no NotInParts
            for by in (None, "queue", "agent"):
                rows = rollups.report(START, cut, by=by, zone=AMS)
                from_parts = {r["group"]: {k: r[k] for k in KEYS} for r in rows}
                raw = {r["group"]: {k: r[k] for k in KEYS} for r in metrics.report(START, cut, by=by, zone=AMS)}
                assert from_parts == {g: {k: pytest.approx(v) for k, v in f.items()} for g, f in raw.items()}, by
            assert _cost(cost.cost_to_serve(START, END)) == _cost(cost.definition(START, END))
            # Each case's measured FCR (the survey drivers): from the case resolutions, the dirty days from the events.
            every_case = Case.objects.values("pk")
            assert survey_drivers.measured_fcr(every_case) == survey_drivers.measured_from_events(Q())
            # Reads never write: the late events' marks wait for the periodic refresh, and the parts agree after it.
            assert DirtyContact.objects.exists() == bool(later)
            rollups.refresh()
            assert not DirtyContact.objects.exists()
            for by in (None, "queue", "department", "channel", "team", "agent"):
                rows = rollups.report(START, END, by=by, zone=AMS)
                from_parts = {r["group"]: {k: r[k] for k in KEYS} for r in rows}
                raw = {r["group"]: {k: r[k] for k in KEYS} for r in metrics.report(START, END, by=by, zone=AMS)}
                assert from_parts == {g: {k: pytest.approx(v) for k, v in f.items()} for g, f in raw.items()}, by
            for by in (None, "queue", "agent"):  # the day in part again: kept, or built anew if the refresh changed it
                rows = rollups.report(START, cut, by=by, zone=AMS)
                from_parts = {r["group"]: {k: r[k] for k in KEYS} for r in rows}
                raw = {r["group"]: {k: r[k] for k in KEYS} for r in metrics.report(START, cut, by=by, zone=AMS)}
                assert from_parts == {g: {k: pytest.approx(v) for k, v in f.items()} for g, f in raw.items()}, by
            assert _cost(cost.cost_to_serve(START, END)) == _cost(cost.definition(START, END))
            assert _cost(cost.cost_to_serve(START, START + 3 * 24 * H)) == _cost(
                cost.definition(START, START + 3 * 24 * H)
            )
        transaction.set_rollback(True)


_MAIL = {"customer": "a@example.nl", "queue": 2, "answered": True, "resolve_after_h": None, "reason": 1,
         "reopen": False, "agent": 0, "late": False, "transfer_h": None, "thread": "t1"}  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(specs=st.lists(contact_spec, max_size=10), now_days=st.sampled_from([4, 9, 30]))
# Two mails of one conversation before its resolution: no first-contact resolution.
@example(specs=[{**_MAIL, "arrival_h": 10, "resolve_after_h": 5}, {**_MAIL, "arrival_h": 12}], now_days=30)
def test_the_set_based_day_parts_equal_their_definition(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, specs: list[dict[str, Any]], now_days: int
) -> None:
    """Every row the statements write (`dayparts_sql`, through `dayparts.build`), its case resolutions and cost parts,
    equal the folding of the definitions over the events (`dayparts_definition`), to the count and grid second."""
    now = START + dt.timedelta(days=now_days, hours=7)
    first, last = FIRST - dt.timedelta(days=2), FIRST + dt.timedelta(days=13)
    with transaction.atomic():
        later: list[Any] = []
        with django_capture_on_commit_callbacks(execute=True):
            for spec in specs:
                _record(spec, world, later)
            for late in later:
                late()
        built = dayparts.build(first, last, now=now, costs=True, resolutions=True)
        expected, resolutions = definition.build(first, last, now=now)
        found = {
            (p.day, p.kind, p.level, p.per_agent, p.queue_id, p.channel, p.agent_id): {
                name: getattr(p, name) for name in next(iter(expected.values()), {})
            }
            for p in built.parts
        }
        assert found == {key: {**row, "fcr_pending": sorted(row["fcr_pending"]), "due": sorted(row["due"])}
                         for key, row in expected.items()}  # fmt: skip
        assert {r.case_id: (r.day, r.solved) for r in built.resolutions} == resolutions
        start, end = day_bounds(first, last, AMS)
        by_day: dict[tuple[Any, ...], list[Any]] = {}
        for at, key, is_first, seconds in cost_parts.handled(start, end):
            sums = by_day.setdefault((at.astimezone(AMS).date(), *key), [0, 0, 0.0])
            sums[0] += 1
            sums[1] += is_first
            sums[2] += seconds
        assert {
            (c.day, c.agent_id, c.queue_id, c.account_id, c.product_type_id, c.reason_id): [
                c.legs,
                c.contacts,
                pytest.approx(c.handle_s),
            ]
            for c in built.costs
        } == by_day
        transaction.set_rollback(True)


@contextlib.contextmanager
def _reads_of_parts() -> Iterator[list[set[dt.date]]]:
    """The stale days of every read of the day parts made inside the block (one entry per read)."""
    original = dayparts.figures
    seen: list[set[dt.date]] = []

    def spy(*args: Any, **kwargs: Any) -> dict[str, dict[str, Any]]:
        seen.append(set(kwargs.get("stale", ())))
        return original(*args, **kwargs)

    dayparts.figures = spy
    try:
        yield seen
    finally:
        dayparts.figures = original


def test_a_read_builds_only_the_dirty_days_and_equals_the_events(world, django_capture_on_commit_callbacks):
    """Weeks and months in a live centre: one dirty day is built from the events, the others are read from their
    parts, and every figure equals the definition over the events."""
    phone, chat, email, _form = world["queues"]
    a1, a2 = world["agents"]
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(9):
            at = START + dt.timedelta(days=n, hours=9)
            first = call(phone, at, wait=5, talk=60, agent=a1, caller="+31201111111")
            resolve_case(case=first.case, by=a1, occurred_at=at + H, reason=world["reasons"][1 + n % 3])
            call(chat, at + 2 * H, wait=40, talk=200, agent=a2, caller="+31202222222")
            mail = arrive(email, at + 3 * H, caller="a@example.nl")
            if n % 2:
                event(mail, "replied", at + 5 * H, a2)
        once = call(phone, START + dt.timedelta(days=3, hours=14), wait=5, talk=60, agent=a1, caller="+31209999999")
        resolve_case(case=once.case, by=a1, occurred_at=START + dt.timedelta(days=3, hours=15))
    now = END + dt.timedelta(days=2)
    with time_machine.travel(now, tick=False):
        rollups.refresh()
        built = DayPart.objects.count()
        # A late reply on the fifth day and a repeat call on the sixth: those days (and the FCR of the cases resolved
        # in the 7 days before the call) change; the marks wait for the periodic refresh.
        with django_capture_on_commit_callbacks(execute=True):
            event(mail, "replied", now - H, a1)
            call(phone, START + dt.timedelta(days=5, hours=11), wait=5, talk=30, agent=a2, caller="+31209999999")
        assert DirtyContact.objects.exists()
        with _reads_of_parts() as stale_read:
            for by in (None, "queue", "channel", "team", "agent"):
                rows = rollups.report(START, END, by=by, zone=AMS)
                assert _without_live(rows) == _without_live(metrics.report(START, END, by=by, zone=AMS)), by
        assert stale_read and stale_read[0]
        # The days the dirty contacts may change (the mail's thread, the caller's week, the backlog of every day's end
        # since the mail arrived), and only those, were computed from the events.
        assert stale_read[0] == rollups.stale_days(START, END, now=now)
        assert FIRST + dt.timedelta(days=9) in stale_read[0]
        assert DayPart.objects.count() == built  # a read writes nothing
        # The repeat call spoiled the FCR of the case resolved two days before it: the case resolutions of that day
        # still say solved, the read computes the dirty days' cases from the events.
        measured = survey_drivers.measured_fcr(Case.objects.values("pk"))
        assert measured == survey_drivers.measured_from_events(Q())
        stored = dict(CaseResolution.objects.values_list("case_id", "solved"))
        assert {c for c, solved in stored.items() if solved != measured[c]} == {once.case_id}  # out of date
        rollups.refresh()
        assert dict(CaseResolution.objects.values_list("case_id", "solved")) == measured


def test_a_day_read_in_part_is_kept_until_its_parts_change(world, django_capture_on_commit_callbacks):
    """The period before a running one ends within a day: that day is built from the events once and kept; a late
    event on it makes it dirty (built from the events again), and the refresh that follows rewrites its parts, so
    the kept one is not read again."""
    phone = world["queues"][0]
    a1 = world["agents"][0]
    day = START + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = call(phone, day + 9 * H, wait=5, talk=60, agent=a1, caller="+31201111111")
        call(phone, day + 10 * H, wait=5, talk=60, agent=a1, caller="+31202222222")
    cut, now = day + 12 * H, END + dt.timedelta(days=2)
    built: list[tuple[dt.date, dt.date]] = []
    original = dayparts.build

    def counting(first_day: dt.date, last_day: dt.date, **kwargs: Any) -> dayparts.Built:
        if kwargs.get("until") is not None:  # a read's day in part (a refresh builds whole days)
            built.append((first_day, last_day))
        return original(first_day, last_day, **kwargs)

    def read() -> dict[str, Any]:
        (row,) = rollups.report(START, cut, zone=AMS)
        (raw,) = metrics.report(START, cut, zone=AMS)
        assert {k: row[k] for k in KEYS} == {k: pytest.approx(raw[k]) for k in KEYS}
        return row

    with time_machine.travel(now, tick=False):
        rollups.refresh()
        dayparts.build = counting  # type: ignore[assignment]
        try:
            assert read()["fcr_cases"] == 0
            assert read()["fcr_cases"] == 0
            assert built == [(day.astimezone(AMS).date(),) * 2]  # once: the second read took the kept parts
            with django_capture_on_commit_callbacks(execute=True):
                resolve_case(case=first.case, by=a1, occurred_at=day + 11 * H)  # recorded late, on that day
            assert read()["fcr_cases"] == 1  # dirty: built from the events
            rollups.refresh()
            assert read()["fcr_cases"] == 1  # its parts rewritten: built anew, not the kept ones
            assert len(built) == 3
        finally:
            dayparts.build = original


def _without_live(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: pytest.approx(v) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def _cost(report: cost.CostReport) -> dict[str, list[tuple[Any, ...]]]:
    """Cost to serve in every grouping, each line as (name, contacts, paid seconds, cost, orders)."""
    groups = {"all": [report.total], "account": report.by_account, "product_type": report.by_product_type,
              "reason": report.by_reason}  # fmt: skip
    return {
        kind: sorted(
            (line.name, line.contacts, round(line.paid_s, 4), round(line.cost, 4), line.orders) for line in lines
        )
        for kind, lines in groups.items()
    }


def test_an_fcr_counts_once_its_window_closes_and_a_later_contact_spoils_it(world, django_capture_on_commit_callbacks):
    phone, agent, reason = world["queues"][0], world["agents"][0], world["reasons"][1]
    resolved_at = START + 10 * H
    with django_capture_on_commit_callbacks(execute=True):
        first = call(phone, START + 9 * H, wait=5, talk=60, agent=agent, caller="+31201111111")
        resolve_case(case=first.case, by=agent, occurred_at=resolved_at, reason=reason)
    with time_machine.travel(resolved_at + dt.timedelta(days=2), tick=False):
        rollups.refresh()
        young = rollups.report(START, END, zone=AMS)[0]
        assert (young["fcr"], young["fcr_cases"]) == (None, 0)  # its 7 days have not passed
        # The screens show the figure so far, marked provisional, rather than "—" (the SPOC page in a month's
        # first week); the events give the same.
        assert young["fcr_so_far"] == metrics.report(START, END, zone=AMS)[0]["fcr_so_far"] == 1.0
    part = DayPart.objects.get(kind=dayparts.RESOLVED, per_agent=False)
    assert part.fcr_pending == [[int(resolved_at.timestamp()) * 1_000_000, 1]]
    with time_machine.travel(resolved_at + dt.timedelta(days=8), tick=False):
        row = rollups.report(START, END, zone=AMS)[0]
        assert (row["fcr"], row["fcr_cases"]) == (1.0, 1)
        # The customer called back on the same top-level reason 6 days after: no first-contact resolution.
        with django_capture_on_commit_callbacks(execute=True):
            again = call(phone, resolved_at + dt.timedelta(days=6), wait=5, talk=60, agent=agent, caller="+31201111111")
            resolve_case(case=again.case, by=agent, occurred_at=resolved_at + dt.timedelta(days=6, hours=1),
                         reason=world["reasons"][2])  # fmt: skip
        row = rollups.report(START, END, zone=AMS)[0]
        assert (row["fcr"], row["fcr_cases"]) == (0.0, 1)
        assert row == metrics.report(START, END, zone=AMS)[0] | {k: row[k] for k in row if k.startswith("oldest")}
        rollups.refresh()  # the periodic job
    # The window closed: the refresh folded the pending case into the day's counts.
    assert DayPart.objects.get(kind=dayparts.RESOLVED, day=FIRST, per_agent=False).fcr_cases == 1


def test_the_parts_refuse_what_they_cannot_answer(world):
    with pytest.raises(dayparts.NotInParts):
        dayparts.figures(START, END, by="day", zone=AMS, now=END)
    with pytest.raises(dayparts.NotInParts):
        dayparts.figures(START + H, END, by=None, zone=AMS, now=END)  # from a midnight only
    with pytest.raises(dayparts.NotInParts):
        dayparts.figures(START, END, by=None, zone=ZoneInfo("UTC"), now=END)
