"""The shift-planning MIP on instances small enough to check by hand, and its guarantees on random ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contactpunt.workforce.shifts.solver import Demand, ShiftOption, Worker, solve

# Eight intervals; three four-interval shifts of one paid hour each: early (0-3), middle (2-5), late (4-7).
EARLY = ShiftOption("early", 0, 0, 4, 1.0)
MIDDLE = ShiftOption("middle", 0, 2, 4, 1.0)
LATE = ShiftOption("late", 0, 4, 4, 1.0)
OPTIONS = [EARLY, MIDDLE, LATE]


def core(worker_id: int, *, cost: float = 10.0, max_hours: float = 1.0, skills: frozenset[str] = frozenset()) -> Worker:
    return Worker(worker_id, f"agent{worker_id}", skills, 0.0, max_hours, cost)


def test_the_known_optimum_covers_the_hump_exactly():
    demand = Demand("phone", [1, 1, 2, 2, 2, 2, 1, 1])
    solution = solve([demand], OPTIONS, [core(1), core(2), core(3)], time_limit_s=10)
    assert solution.status == "optimal"
    assert sorted(a.option.key for a in solution.assignments) == ["early", "late", "middle"]
    assert solution.scheduled["phone"] == [1, 1, 2, 2, 2, 2, 1, 1]
    assert solution.under_total == 0
    assert solution.cost == 30.0
    assert solution.objective == 30.0
    assert solution.mip_gap == 0.0


def test_too_few_agents_leave_the_least_possible_shortfall():
    demand = Demand("phone", [1, 1, 2, 2, 2, 2, 1, 1])
    solution = solve([demand], OPTIONS, [core(1), core(2)], time_limit_s=10, under_penalty=1000)
    # Any two of the three shifts miss four agent-intervals; the cheapest objective is 4 x 1000 + 2 x 10.
    assert solution.under_total == 4
    assert solution.objective == 4020.0
    assert len(solution.assignments) == 2


def test_the_pool_is_used_only_at_the_peak_even_when_it_is_cheaper():
    pool = Worker(9, "finance", frozenset(), 0.0, 8.0, 1.0, is_pool=True)
    flat = solve([Demand("phone", [1] * 8)], OPTIONS, [core(1), core(2), pool], time_limit_s=10)
    assert flat.under_total == 0
    assert all(not a.is_pool for a in flat.assignments)
    assert flat.pool_hours == 0

    peak = solve([Demand("phone", [1, 1, 2, 2, 2, 2, 1, 1])], OPTIONS, [core(1), core(2), pool], time_limit_s=10)
    assert peak.under_total == 0
    pooled = [a for a in peak.assignments if a.is_pool]
    # Two core shifts cannot cover the hump (see above): one pool shift makes up the difference, and no more.
    assert [a.worker_id for a in pooled] == [9]
    assert set(pooled[0].option.covered()) & {2, 3, 4, 5}
    assert peak.pool_hours == 1.0


def test_skills_decide_who_covers_a_queue():
    finance = Demand("finance", [0, 0, 0, 0, 1, 1, 1, 1], frozenset({"finance"}))
    phone = Demand("phone", [1, 1, 1, 1, 0, 0, 0, 0])
    skilled = core(2, skills=frozenset({"finance"}))
    solution = solve([phone, finance], OPTIONS, [core(1), skilled], time_limit_s=10)
    assert solution.under_total == 0
    by_worker = {a.worker_id: (a.queue, a.option.key) for a in solution.assignments}
    assert by_worker == {1: ("phone", "early"), 2: ("finance", "late")}


def test_minimum_and_maximum_hours_hold_per_week():
    nine_days = [ShiftOption("day", d, d * 4, 4, 4.0) for d in range(9)]
    minimum = Worker(1, "a", frozenset(), 8.0, 8.0, 10.0)
    forced = solve([Demand("phone", [0] * 36)], nine_days, [minimum], time_limit_s=10)
    # Nothing is needed, but the contract's minimum of 8 hours holds in the first, whole week: two shifts
    # in days 0-6; the two days of the second week are no whole week, so no minimum there.
    assert sorted(a.option.day < 7 for a in forced.assignments) == [True, True]
    capped = solve([Demand("phone", [1] * 36)], nine_days, [Worker(1, "a", frozenset(), 0.0, 8.0, 10.0)],
                   time_limit_s=10)  # fmt: skip
    assert sum(a.option.day < 7 for a in capped.assignments) == 2
    assert sum(a.option.day >= 7 for a in capped.assignments) == 2
    assert capped.under_total == 36 - 16


def test_breaks_do_not_cover():
    with_break = ShiftOption("day", 0, 0, 8, 2.0, breaks=((3, 1),))
    solution = solve([Demand("phone", [1] * 8)], [with_break], [core(1, max_hours=2)], time_limit_s=10)
    assert solution.scheduled["phone"] == [1, 1, 1, 0, 1, 1, 1, 1]
    assert solution.under["phone"][3] == 1.0


def _week_instance(agents: int) -> tuple[list[Demand], list[ShiftOption], list[Worker]]:
    per_day = 48
    required = []
    for _day in range(7):
        required += [0 if t < 14 or t > 44 else 3 + (agents // 4) * (1 if 18 <= t <= 26 else 0) for t in range(per_day)]
    options = [
        ShiftOption(f"s{start}", day, day * per_day + start, 16, 8.0, breaks=((8, 1),))
        for day in range(7)
        for start in range(14, 31)
    ]
    workers = [Worker(n, f"a{n}", frozenset(), 24.0, 40.0, 20.0 + n % 3) for n in range(agents)]
    return [Demand("phone", required)], options, workers


def test_a_time_limit_ends_the_solve_with_the_best_plan_and_its_gap():
    # No assertion on the clock (a loaded machine says nothing about the limit): what the limit gives back.
    demands, options, workers = _week_instance(60)
    solution = solve(demands, options, workers, time_limit_s=1.0, mip_rel_gap=0.0)
    assert solution.status in {"optimal", "time_limit"}
    if solution.status == "time_limit" and solution.assignments:
        assert solution.mip_gap is not None and solution.mip_gap > 0


def test_the_same_instance_gives_the_same_plan():
    demands, options, workers = _week_instance(12)
    first = solve(demands, options, workers, time_limit_s=20)
    second = solve(demands, options, workers, time_limit_s=20)
    assert first.status == "optimal"
    assert [(a.worker_id, a.option) for a in first.assignments] == [(a.worker_id, a.option) for a in second.assignments]


@settings(max_examples=25)
@given(
    required=st.lists(st.integers(0, 4), min_size=8, max_size=8),
    agents=st.integers(0, 5),
)
def test_coverage_is_never_negative_and_adds_up(required: list[int], agents: int) -> None:
    solution = solve([Demand("phone", required)], OPTIONS, [core(n) for n in range(agents)], time_limit_s=10)
    assert len(solution.assignments) <= agents
    for t, need in enumerate(required):
        assert solution.under["phone"][t] >= 0
        assert solution.scheduled["phone"][t] >= 0
        assert solution.scheduled["phone"][t] + solution.under["phone"][t] >= need
    counted = [0] * 8
    for assignment in solution.assignments:
        for t in assignment.option.covered():
            counted[t] += 1
    assert counted == solution.scheduled["phone"]
