"""The demo's shift plans: templates, contracts and the pool are made, and worked shifts are read from states."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.people.models import Role, Team
from contactpunt.workforce.demo import TEMPLATES, plan_demo
from contactpunt.workforce.models import Activity, Contract, PlannedShift, PlanStatus, PoolMember, ShiftPlan
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
