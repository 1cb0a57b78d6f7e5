"""The demo's shift plans: templates, contracts and the pool are made, and worked shifts are read from states."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.people.models import Role, Team
from contactpunt.workforce.adherence import adherence_report
from contactpunt.workforce.demo import TEMPLATES, plan_demo, worked_until
from contactpunt.workforce.models import (
    Activity,
    Contract,
    PlannedActivity,
    PlannedShift,
    PlanStatus,
    PoolMember,
    ShiftPlan,
)
from contactpunt.workforce.shifts.planning import schedule_shift
from contactpunt.workforce.tasks import plan_demo_shifts

AMS = ZoneInfo("Europe/Amsterdam")


def test_plan_demo_reads_the_worked_shifts_and_plans_ahead(team, department, phone_queue):
    anna = make_user("anna", Role.AGENT, team)
    flex = Team.objects.create(name="Flexpool", department=department)
    helper = make_user("femke", Role.AGENT, flex)
    # Wednesday 4 March 2026: signed in 08:58-17:03 with a break 12:01-12:29 (rounded: 09:00-17:00, 12:00-12:30).
    day = dt.date(2026, 3, 4)
    for hour, minute, state in ((8, 58, AgentState.AVAILABLE), (12, 1, AgentState.BREAK),
                                (12, 29, AgentState.AVAILABLE), (17, 3, AgentState.OFFLINE)):  # fmt: skip
        record_agent_state(agent=anna, state=state, occurred_at=dt.datetime.combine(day, dt.time(hour, minute), AMS))
    result = plan_demo(today=dt.date(2026, 3, 12), time_limit_s=5)
    assert result.templates == len(TEMPLATES)
    assert result.pool_members == 1
    assert PoolMember.objects.get().user == helper
    assert Contract.objects.get().agent == anna
    past, ahead = result.plans[:2]
    assert (past.first_day, past.days, past.status) == (dt.date(2026, 3, 2), 10, PlanStatus.DONE)
    # Today and the six days after it, Saturday and Sunday included.
    assert (ahead.first_day, ahead.days, ahead.status) == (dt.date(2026, 3, 12), 7, PlanStatus.DONE)
    assert result.worked_shifts == 1
    worked = PlannedShift.objects.get(day=day)
    assert (worked.agent, worked.plan) == (anna, None)
    assert [
        (a.kind, a.start.astimezone(AMS).time(), a.end.astimezone(AMS).time()) for a in worked.activities.all()
    ] == [
        (Activity.WORK, dt.time(9), dt.time(12)),
        (Activity.BREAK, dt.time(12), dt.time(12, 30)),
        (Activity.WORK, dt.time(12, 30), dt.time(17)),
    ]
    # From today on the planner's shifts stay: anna's 16-hour weekly minimum gives her shifts next week.
    assert PlannedShift.objects.filter(agent=anna, day__gte=dt.date(2026, 3, 12)).exists()


def test_the_demo_plan_task_plans_once(team, department, phone_queue):
    anna = make_user("anna", Role.AGENT, team)
    monday = dt.date(2026, 3, 2)
    for hour, state in ((9, AgentState.AVAILABLE), (17, AgentState.OFFLINE)):
        record_agent_state(agent=anna, state=state, occurred_at=dt.datetime.combine(monday, dt.time(hour), AMS))
    assert plan_demo_shifts.call() > 0
    plans = list(ShiftPlan.objects.values_list("pk", flat=True))
    assert plans
    assert plan_demo_shifts.call() == 0  # a repeated start plans nothing twice
    assert list(ShiftPlan.objects.values_list("pk", flat=True)) == plans


def _planned(plan: ShiftPlan, agent, start: dt.datetime, end: dt.datetime, activities=(), *, queue=None):
    shift = schedule_shift(agent=agent, start=start, end=end, activities=activities, queue=queue)
    PlannedShift.objects.filter(pk=shift.pk).update(plan=plan)
    return shift


def _shifts(agent) -> list[tuple[bool, dt.time, dt.time, list[tuple[str, dt.time, dt.time]]]]:
    """(of a plan?, start, end, activities) of the agent's shifts, local times."""
    return [
        (s.plan_id is not None, s.start.astimezone(AMS).time(), s.end.astimezone(AMS).time(),
         [(a.kind, a.start.astimezone(AMS).time(), a.end.astimezone(AMS).time()) for a in s.activities.all()])
        for s in PlannedShift.objects.filter(agent=agent).order_by("start")
    ]  # fmt: skip


def test_the_demo_s_today_is_what_was_worked_before_now_and_the_plan_after_it(team, phone_queue):
    """The end of the demo's history: the hours before it were worked on the simulator's own roster, the plan holds
    from then on (the live simulation works it), so today's adherence reads as the days before do."""
    day = dt.date(2026, 3, 12)

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), AMS)

    anna, bert, carla = (make_user(name, Role.AGENT, team) for name in ("anna", "bert", "carla"))
    for person, hour, minute, state in ((anna, 7, 58, AgentState.AVAILABLE), (anna, 10, 2, AgentState.BREAK),
                                        (anna, 10, 17, AgentState.AVAILABLE), (bert, 8, 0, AgentState.AVAILABLE),
                                        (bert, 10, 0, AgentState.OFFLINE)):  # fmt: skip
        record_agent_state(agent=person, state=state, occurred_at=at(hour, minute))
    plan = ShiftPlan.objects.create(first_day=day, days=1)
    _planned(plan, anna, at(9), at(17), [("break", at(13), at(13, 30))])
    _planned(plan, bert, at(7), at(10, 30))
    _planned(plan, carla, at(12), at(16))

    assert worked_until(at(11)) == 2

    # Anna worked from eight with a quarter's break, and is planned on from eleven.
    assert _shifts(anna) == [
        (False, dt.time(8), dt.time(11), [("work", dt.time(8), dt.time(10)), ("break", dt.time(10), dt.time(10, 15)),
                                          ("work", dt.time(10, 15), dt.time(11))]),
        (True, dt.time(11), dt.time(17), [("work", dt.time(11), dt.time(13)), ("break", dt.time(13), dt.time(13, 30)),
                                          ("work", dt.time(13, 30), dt.time(17))]),
    ]  # fmt: skip
    assert _shifts(bert) == [(False, dt.time(8), dt.time(10), [("work", dt.time(8), dt.time(10))])]
    assert _shifts(carla) == [(True, dt.time(12), dt.time(16), [("work", dt.time(12), dt.time(16))])]
    (row,) = adherence_report(at(0), at(11), by="team")
    assert row.adherence is not None and row.adherence > 0.95


def test_a_new_demo_plan_holds_from_now_and_keeps_the_hours_before(team, department, phone_queue):
    today = dt.date(2026, 3, 12)
    anna = make_user("anna", Role.AGENT, team)
    quick = ShiftPlan.objects.create(first_day=today, days=1)

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(today, dt.time(hour, minute), AMS)

    _planned(quick, anna, at(8), at(16), [("break", at(12), at(12, 30))], queue=phone_queue)
    now = at(12, 10)
    plan_demo(today=today, time_limit_s=2, now=now)
    # The quick plan's morning stays as it was, up to now; the new plans start at now at the earliest.
    kept = (False, dt.time(8), dt.time(12, 10), [("work", dt.time(8), dt.time(12)),
                                                 ("break", dt.time(12), dt.time(12, 10))])  # fmt: skip
    assert _shifts(anna)[0] == kept
    assert not PlannedShift.objects.filter(day=today, plan__isnull=False, start__lt=now).exists()
    assert not PlannedActivity.objects.filter(shift__day=today, shift__plan__isnull=False, start__lt=now).exists()
    assert not ShiftPlan.objects.filter(pk=quick.pk, shifts__isnull=False).exists()
