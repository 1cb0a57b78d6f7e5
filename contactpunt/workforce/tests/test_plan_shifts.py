"""The planning service and the `plan-shifts` command: from needs per quarter hour to stored, named shifts."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.people.models import Role, Skill, Team
from contactpunt.workforce.models import Activity, Contract, PlannedShift, PlanStatus, PoolMember, ShiftTemplate
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.planning import plan_shifts, schedule_shift

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = dt.date(2026, 3, 2)


def needs_for(queue: Queue, day: dt.date, hours: dict[int, int]) -> list[IntervalNeed]:
    """Required agents per local hour of `day` (every quarter hour of that hour), zero elsewhere."""
    return [
        IntervalNeed(start, queue.code, 0.0, 300.0, hours.get(start.astimezone(AMS).hour, 0))
        for start in grid(day, 1, AMS)
    ]


@pytest.fixture
def templates(db: None) -> list[ShiftTemplate]:
    return [
        ShiftTemplate.objects.create(name="early", start_time=dt.time(8), length_minutes=240, breaks=[[120, 15]]),
        ShiftTemplate.objects.create(name="late", start_time=dt.time(12), length_minutes=240, breaks=[[120, 15]]),
    ]


def test_two_agents_get_the_early_and_the_late_shift(phone_queue, team, templates):
    anna = make_user("anna", Role.AGENT, team)
    bram = make_user("bram", Role.AGENT, team)
    needs = needs_for(phone_queue, MONDAY, {8: 1, 9: 1, 10: 1, 11: 1, 12: 1, 13: 1, 14: 1, 15: 1})
    outcome = plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    plan = outcome.plan
    assert plan.status == PlanStatus.DONE
    assert plan.solver_status == "optimal"
    # Each shift has a 15-minute break that cannot be covered by the other: two quarter hours short.
    assert plan.under_coverage == 2.0
    shifts = list(PlannedShift.objects.order_by("start"))
    assert [s.start.astimezone(AMS).hour for s in shifts] == [8, 12]
    assert {s.agent for s in shifts} == {anna, bram}
    assert all(s.queue == phone_queue and not s.is_pool for s in shifts)
    early = shifts[0]
    assert [(a.kind, a.start.astimezone(AMS).time(), a.end.astimezone(AMS).time()) for a in early.activities.all()] == [
        (Activity.WORK, dt.time(8), dt.time(10)),
        (Activity.BREAK, dt.time(10), dt.time(10, 15)),
        (Activity.WORK, dt.time(10, 15), dt.time(12)),
    ]
    assert plan.cost == 8 * 35.0  # two four-hour shifts at the department's rate
    assert len(plan.intervals) == 96


def test_a_new_plan_replaces_the_old_plan_but_keeps_hand_made_shifts(phone_queue, team, templates):
    anna = make_user("anna", Role.AGENT, team)
    needs = needs_for(phone_queue, MONDAY, {9: 1})
    plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    start = dt.datetime(2026, 3, 2, 18, tzinfo=AMS)
    schedule_shift(agent=anna, start=start, end=start + dt.timedelta(hours=2))
    plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    assert PlannedShift.objects.filter(plan__isnull=False).count() == 1
    assert PlannedShift.objects.filter(plan__isnull=True).count() == 1


def test_the_pool_helps_only_at_the_peak_within_its_availability(phone_queue, team, department, templates):
    make_user("anna", Role.AGENT, team)
    finance = Team.objects.create(name="Finance", department=department)
    helper = make_user("femke", Role.AGENT, finance)
    PoolMember.objects.create(user=helper, weekdays="0", available_from=dt.time(12), available_until=dt.time(17),
                              cost_per_hour=1)  # fmt: skip
    quiet = plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs_for(phone_queue, MONDAY, {9: 1}),
                        time_limit_s=10)  # fmt: skip
    assert quiet.plan.pool_hours == 0
    peak = plan_shifts(first_day=MONDAY, days=1, queue=phone_queue,
                       needs=needs_for(phone_queue, MONDAY, {9: 1, 13: 2}), time_limit_s=10)  # fmt: skip
    pooled = list(PlannedShift.objects.filter(is_pool=True))
    assert [(s.agent, s.start.astimezone(AMS).hour) for s in pooled] == [(helper, 12)]
    assert peak.plan.pool_hours == 4.0


def test_skills_and_contracts_are_respected(phone_queue, team, templates):
    phone_queue.skills.add(Skill.objects.create(code="dutch", name="Dutch"))
    skilled = make_user("anna", Role.AGENT, team)
    skilled.skills.add(Skill.objects.get(code="dutch"))
    make_user("bram", Role.AGENT, team)  # lacks the skill
    unschedulable = make_user("cas", Role.AGENT, team)
    unschedulable.skills.add(Skill.objects.get(code="dutch"))
    Contract.objects.create(agent=unschedulable, is_schedulable=False)
    needs = needs_for(phone_queue, MONDAY, {9: 2})
    plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    assert list(PlannedShift.objects.values_list("agent__username", flat=True)) == ["anna"]


def test_a_plan_over_the_clock_change_uses_92_quarter_hours(phone_queue, team):
    make_user("anna", Role.AGENT, team)
    ShiftTemplate.objects.create(name="night", start_time=dt.time(0), length_minutes=480)
    sunday = dt.date(2026, 3, 29)
    needs = needs_for(phone_queue, sunday, {0: 1, 1: 1, 3: 1})
    outcome = plan_shifts(first_day=sunday, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    assert len(outcome.plan.intervals) == 92
    shift = PlannedShift.objects.get()
    assert shift.end - shift.start == dt.timedelta(hours=8)
    assert shift.end.astimezone(AMS).time() == dt.time(9)  # eight hours from midnight, the clock moved on at two
    assert outcome.plan.under_coverage == 0


def test_bad_arguments_are_refused(phone_queue):
    with pytest.raises(ValueError, match="between 1 and 62 days"):
        plan_shifts(first_day=MONDAY, days=0, queue=phone_queue, needs=[])
    with pytest.raises(ValueError, match="time limit"):
        plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=[], time_limit_s=0)


def test_the_command_prints_json_with_the_gap_and_the_shifts(phone_queue, team, templates):
    Contract.objects.create(agent=make_user("anna", Role.AGENT, team), min_hours_week=4)
    out = StringIO()
    call_command("plan-shifts", "--from", "2026-03-02", "--days", "7", "--queue", phone_queue.code,
                 "--time-limit", "5", "--json", stdout=out)  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["status"] == "optimal"
    assert figures["mip_gap"] == 0.0
    assert figures["days"] == 7
    # No history, so nothing is needed; the contract's 4-hour weekly minimum still gives one shift.
    assert figures["shifts"] == 1
    assert figures["under_coverage_agent_intervals"] == 0
    assert figures["assignments"][0]["agent"] == "anna"
    assert figures["assignments"][0]["start"].endswith("+01:00")


def test_the_command_refuses_an_unknown_queue(db):
    with pytest.raises(CommandError, match="unknown queue"):
        call_command("plan-shifts", "--from", "2026-03-02", "--queue", "nope")


def test_a_queue_open_at_the_weekend_gets_shifts_on_saturday_and_sunday(phone_queue, team, templates):
    for name in ("anna", "bram", "cas"):
        make_user(name, Role.AGENT, team)
    friday = MONDAY + dt.timedelta(days=4)
    needs = [
        n for offset in range(3) for n in needs_for(phone_queue, friday + dt.timedelta(days=offset), {9: 1, 13: 1})
    ]
    outcome = plan_shifts(first_day=friday, days=3, queue=phone_queue, needs=needs, time_limit_s=10)
    days = set(PlannedShift.objects.filter(plan=outcome.plan).values_list("day", flat=True))
    assert days == {friday, friday + dt.timedelta(days=1), friday + dt.timedelta(days=2)}
    assert outcome.solution.under_total == 0


def test_a_new_plan_keeps_the_team_meetings_planned_in_its_days(phone_queue, team, templates):
    from contactpunt.workforce import meetings
    from contactpunt.workforce.models import PlannedActivity, TeamMeeting

    anna = make_user("anna", Role.AGENT, team)
    needs = needs_for(phone_queue, MONDAY, {8: 1, 9: 1, 10: 1, 11: 1})
    plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)
    begin = dt.datetime(2026, 3, 2, 9, tzinfo=AMS)
    meeting = TeamMeeting.objects.create(team=team, week=MONDAY, start=begin, end=begin + meetings.LENGTH)
    early = PlannedShift.objects.get(agent=anna, start__lte=begin, end__gte=meeting.end)
    meeting.attendees.set([anna])
    work = early.activities.get(kind=Activity.WORK, start__lte=begin, end__gte=meeting.end)
    meetings._cut(work, meeting.start, meeting.end)  # as plan_team_meetings does

    plan_shifts(first_day=MONDAY, days=1, queue=phone_queue, needs=needs, time_limit_s=10)  # a re-plan
    [kept] = PlannedActivity.objects.filter(kind=Activity.MEETING)
    assert (kept.shift.agent, kept.start, kept.end) == (anna, meeting.start, meeting.end)
    assert kept.shift.plan is not None and kept.shift.pk != early.pk  # cut into the new plan's shift
    around = kept.shift.activities.filter(kind=Activity.WORK).order_by("start")
    assert any(a.end == meeting.start for a in around) and any(a.start == meeting.end for a in around)
