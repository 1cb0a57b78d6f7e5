"""The weekly team meetings placed into a plan made without them (`meeting_room.make_room`): on generated teams and
requirements every member gets a session in the week, inside a shift of theirs, and no queue is covered less than
the plan without meetings covered it (at least its requirement wherever that plan met it); from a week plan through
the team lead's meeting planner, everyone is placed without a gap."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.kpis.intervals import day_bounds
from contactpunt.people.models import Department, Role, Team
from contactpunt.workforce import meetings
from contactpunt.workforce.models import Contract, ShiftTemplate
from contactpunt.workforce.queries import scheduled_per_interval
from contactpunt.workforce.requirement import IntervalNeed, grid
from contactpunt.workforce.shifts.meeting_room import make_room
from contactpunt.workforce.shifts.planning import plan_shifts
from contactpunt.workforce.shifts.solver import Demand, MeetingNeed, ShiftOption, Solution, Worker, solve

DAY = 96  # quarter hours
CANDIDATES = (38, 42, 46, 54, 58, 62)  # 09:30, 10:30, 11:30, 13:30, 14:30, 15:30


def _options() -> list[ShiftOption]:
    """Eight-hour shifts from 07:00 to 13:00 on the hour with half an hour's break after four hours, every day."""
    return [
        ShiftOption(f"day-{hour}", day, day * DAY + hour * 4, 32, 8.0, breaks=((16, 2),))
        for day in range(7)
        for hour in range(7, 14)
    ]


def _instance(seed: int) -> tuple[list[Demand], list[Worker], list[MeetingNeed]]:
    """Two queues (phone for everyone, chat for those with the skill) open 08:00-20:00 on weekdays and 09:00-17:00 on
    Saturday, a hump in the late morning; two teams of agents with 16-40 hours a week."""
    rng = random.Random(seed)
    phone, chat = [0.0] * (7 * DAY), [0.0] * (7 * DAY)
    for day in range(6):
        opening, closing = (32, 80) if day < 5 else (36, 68)
        for q in range(opening, closing):
            hump = 2 if 40 <= q < 52 else 0
            phone[day * DAY + q] = float(rng.randint(2, 4) + hump)
            chat[day * DAY + q] = float(rng.randint(0, 2))
    size = rng.randint(14, 18)
    workers = [
        Worker(n, f"agent{n}", frozenset({"chat"}) if n % 3 == 0 else frozenset(), 16.0, 40.0, 30.0 + n % 4)
        for n in range(size)
    ]
    half = size // 2
    needs = [
        MeetingNeed(team, frozenset(w.id for w in members), tuple((day, day * DAY + q) for day in range(5)
                    for q in CANDIDATES), 2, 5)
        for team, members in (("noord", workers[:half]), ("zuid", workers[half:]))
    ]  # fmt: skip
    return [Demand("phone", phone), Demand("chat", chat, frozenset({"chat"}))], workers, needs


def _check(demands: list[Demand], needs: list[MeetingNeed], plan: Solution, placed: Solution) -> None:
    shifts = {(a.worker_id, a.option.day): a for a in placed.assignments}
    for a in plan.assignments:  # the plan's shifts are all still there
        assert shifts[(a.worker_id, a.option.day)] == a
    seats = Counter(worker_id for _team, _start, ids in placed.meetings for worker_id in ids)
    members = {worker_id for need in needs for worker_id in need.workers}
    assert seats == Counter(members)  # every member exactly once in the week
    leaving: Counter[tuple[str, int]] = Counter()
    for team, start, ids in placed.meetings:
        need = next(n for n in needs if n.team == team)
        assert 3 <= len(ids) <= 5 and set(ids) <= need.workers
        for worker_id in ids:
            shift = shifts[(worker_id, start // DAY)]
            assert set(range(start, start + 2)) <= set(shift.option.covered())  # at work, not on a break
            for t in range(start, start + 2):
                leaving[(shift.queue, t)] += 1
    for demand in demands:
        for t, required in enumerate(demand.required):
            before = plan.scheduled[demand.queue][t]
            after = placed.scheduled[demand.queue][t] - leaving[(demand.queue, t)]
            assert after >= min(before, required), (demand.queue, t)
            if before >= required:
                assert after >= required, (demand.queue, t)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_member_meets_and_no_queue_is_covered_less(seed: int) -> None:
    demands, workers, needs = _instance(seed)
    options = _options()
    plan = solve(demands, options, workers, time_limit_s=20, mip_rel_gap=0.01)
    assert plan.assignments

    placed = make_room(demands, options, workers, needs, plan, time_limit_s=20)

    _check(demands, needs, plan, placed)
    assert placed.under_total <= plan.under_total


def test_shifts_are_added_only_where_the_plan_leaves_no_room() -> None:
    # Three agents needed 09:00-17:00 on weekdays, seven in a team, one eight-hour shift without a break: the plan has
    # exactly three at work each day and nobody can leave: shifts are added for the room, as few as will do.
    required = [3.0 if day < 5 and 36 <= q < 68 else 0.0 for day in range(7) for q in range(DAY)]
    options = [ShiftOption("dag", day, day * DAY + 36, 32, 8.0) for day in range(7)]
    workers = [Worker(n, f"agent{n}", min_hours=8.0, max_hours=40.0, cost_per_hour=35.0) for n in range(7)]
    demands = [Demand("phone", required)]
    need = MeetingNeed("noord", frozenset(range(7)), tuple((day, day * DAY + q) for day in range(5)
                                                           for q in CANDIDATES))  # fmt: skip
    plan = solve(demands, options, workers, time_limit_s=20)
    assert max(Counter(a.option.day for a in plan.assignments).values()) == 3

    placed = make_room(demands, options, workers, [need], plan, time_limit_s=20)

    _check(demands, [need], plan, placed)
    assert sorted(len(ids) for *_rest, ids in placed.meetings) == [3, 4]
    added = len(placed.assignments) - len(plan.assignments)
    # The larger session takes four out at once, so four more are at work that day; the other session meets the
    # same day in the room those four make (a session of three on another day would need three more shifts).
    assert added == 4
    assert len({start // DAY for _team, start, _ids in placed.meetings}) == 1
    assert placed.cost == pytest.approx(plan.cost + added * 8 * 35.0)


def test_nothing_to_place_returns_the_plan() -> None:
    demands, workers, _needs = _instance(1)
    plan = solve(demands, _options(), workers, time_limit_s=20, mip_rel_gap=0.01)
    assert make_room(demands, _options(), workers, [], plan) is plan


@pytest.mark.django_db
def test_a_week_plan_and_the_team_leads_planner_place_everyone_without_a_gap(
    team: Team, department: Department, phone_queue: Queue
) -> None:
    # From the requirement to the meetings in the shifts: the week plan makes the room, each team lead's planner
    # places their team into it, and no quarter hour the plan staffed falls short.
    local, week, rng = ZoneInfo("Europe/Amsterdam"), dt.date(2026, 3, 2), random.Random(3)
    south = Team.objects.create(name="Team Zuid", department=department)
    people = [make_user(f"noord{n}", Role.AGENT, team) for n in range(8)]
    people += [make_user(f"zuid{n}", Role.AGENT, south) for n in range(7)]
    for person in people:
        Contract.objects.create(agent=person, min_hours_week=Decimal(16), max_hours_week=Decimal(40))
    for hour in range(7, 14):
        ShiftTemplate.objects.create(name=f"dag-{hour}", start_time=dt.time(hour), length_minutes=480,
                                     breaks=[[240, 30]])  # fmt: skip
    needs = []
    for start in grid(week, 7, local):
        moment = start.astimezone(local)
        busy = moment.weekday() < 5 and 8 <= moment.hour < 20
        required = rng.randint(4, 6) + (3 if 10 <= moment.hour < 13 else 0) if busy else 0
        needs.append(IntervalNeed(start, phone_queue.code, 10.0, 180.0, required))
    outcome = plan_shifts(first_day=week, days=7, queue=phone_queue, needs=needs, time_limit_s=20)
    assert sum(len(ids) for *_rest, ids in outcome.solution.meetings) == len(people)
    bounds = day_bounds(week, week + dt.timedelta(days=6), local)
    before = scheduled_per_interval(*bounds)

    plans = [meetings.plan_team_meetings(team=each, week=week, now=None) for each in (team, south)]
    unplaced = [u for plan in plans for u in plan.unplaced]

    assert unplaced == []
    after = scheduled_per_interval(*bounds)
    assert [n.start for n in needs if after.get(n.start, 0) < n.required <= before.get(n.start, 0)] == []
    assert sum(before.values()) - sum(after.values()) == 2 * len(people)  # each out for two quarter hours
