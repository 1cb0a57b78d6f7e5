"""Place the weekly team meetings into a shift plan made without them: a second, small problem over fixed shifts.

Solving shifts and meetings in one model (`solver.solve(meetings=...)`) is larger, and within a short time limit
it may find a plan that covers the queues worse. Here the plan without meetings stays as it is; a small
mixed-integer programme then chooses, for each member of a team, one candidate session inside a shift of theirs
(breaks excluded) so that in every interval each queue keeps its coverage: at least its requirement where the plan
met it, and no less than the plan where it fell short. Where the fixed shifts leave no room, it may add a shift on
a day an agent has none (within their weekly hours), at its cost; a member may meet in such an added shift.
Sessions follow the solver's rules: a member attends one per block, a team holds as few sessions as its size
needs, each with an even share of it. A member left without a session costs `meeting_penalty` (more than an
added shift). The plan's shifts all stay, so the result can only add coverage.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from contactpunt.workforce.shifts.solver import (
    MEETING_PENALTY,
    POOL_PENALTY,
    Assignment,
    Demand,
    MeetingNeed,
    ShiftOption,
    Solution,
    Worker,
    fits,
)


class _Model:
    """The variables, the objective and the rows of the problem, built up in place."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper_bound: list[float] = []
        self.integral: list[int] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def variable(self, cost: float, *, integral: bool = True) -> int:
        self.cost.append(cost)
        self.upper_bound.append(1.0)
        self.integral.append(int(integral))
        return len(self.cost) - 1

    def constraint(self, terms: Sequence[tuple[int, float]], low: float, high: float) -> None:
        row = len(self.lower)
        for column, value in terms:
            self.rows.append(row)
            self.cols.append(column)
            self.vals.append(value)
        self.lower.append(low)
        self.upper.append(high)

    def solve(self, time_limit_s: float) -> np.ndarray | None:
        n = len(self.cost)
        if not n:
            return np.zeros(0)
        matrix = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lower), n)).tocsr()
        result = milp(
            np.array(self.cost),
            constraints=LinearConstraint(matrix, np.array(self.lower), np.array(self.upper)) if self.lower else (),
            integrality=np.array(self.integral),
            bounds=Bounds(np.zeros(n), np.array(self.upper_bound)),
            options={"time_limit": time_limit_s, "mip_rel_gap": 1e-4, "presolve": True},
        )
        return None if result.x is None else np.asarray(result.x)


def make_room(
    demands: Sequence[Demand],
    options: Sequence[ShiftOption],
    workers: Sequence[Worker],
    meetings: Sequence[MeetingNeed],
    plan: Solution,
    *,
    time_limit_s: float = 10.0,
    meeting_penalty: float = MEETING_PENALTY,
    pool_penalty: float = POOL_PENALTY,
) -> Solution:
    """Return `plan` with its meetings placed (`Solution.meetings`) and any shifts added for them; `plan` itself
    when it has no shifts or there is no meeting to place. See the module docstring for the rules."""
    if not meetings or not plan.assignments:
        return plan
    started = time.perf_counter()
    queue_of = {demand.queue: d for d, demand in enumerate(demands)}
    index = {worker.id: w for w, worker in enumerate(workers)}
    base: dict[tuple[int, int], Assignment] = {(a.worker_id, a.option.day): a for a in plan.assignments}
    hours: dict[tuple[int, int], float] = defaultdict(float)
    for a in plan.assignments:
        hours[(a.worker_id, a.option.day // 7)] += a.option.paid_hours
    model = _Model()
    # Shifts that may be added: a worker, on a day without a shift of theirs, within their weekly hours.
    extra_of: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)  # (worker, day): (var, o, d)
    for worker in workers:
        for o, option in enumerate(options):
            if (worker.id, option.day) in base or not fits(worker, option):
                continue
            if hours[(worker.id, option.day // 7)] + option.paid_hours > worker.max_hours + 1e-9:
                continue
            # A cent an hour on top, so that a shift nobody needs is never added by a worker who costs nothing.
            rate = worker.cost_per_hour + (pool_penalty if worker.is_pool else 0.0) + 0.01
            for d, demand in enumerate(demands):
                if demand.skills <= worker.skills:
                    j = model.variable(option.paid_hours * rate)
                    extra_of[(worker.id, option.day)].append((j, o, d))
    spans = [set(option.covered()) for option in options]
    for (_worker_id, _day), columns in extra_of.items():
        model.constraint([(j, 1.0) for j, _o, _d in columns], 0.0, 1.0)
    per_week: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for (worker_id, day), columns in extra_of.items():
        per_week[(worker_id, day // 7)] += [(j, options[o].paid_hours) for j, o, _d in columns]
    limit = {worker.id: worker.max_hours for worker in workers}
    for (worker_id, week), terms in per_week.items():
        model.constraint(terms, 0.0, max(0.0, limit[worker_id] - hours[(worker_id, week)]))
    # Seats: (variable, meeting, worker id, day, start, queue index), in a planned shift or in an added one.
    seats: list[tuple[int, int, int, int, int, int]] = []
    core = [sorted(i for i in need.workers if i in index and not workers[index[i]].is_pool) for need in meetings]
    for m, need in enumerate(meetings):
        session_of = {start: set(range(start, start + need.length)) for _day, start in need.starts}
        for worker_id in core[m]:
            for day, start in need.starts:
                session = session_of[start]
                planned = base.get((worker_id, day))
                if planned is not None:
                    if session <= set(planned.option.covered()):
                        seats.append((model.variable(0.0), m, worker_id, day, start, queue_of[planned.queue]))
                else:
                    hosts: dict[int, list[int]] = defaultdict(list)  # queue: the added shifts holding the session
                    for j, o, d in extra_of.get((worker_id, day), []):
                        if session <= spans[o]:
                            hosts[d].append(j)
                    for d, js in sorted(hosts.items()):
                        k = model.variable(0.0)
                        seats.append((k, m, worker_id, day, start, d))
                        model.constraint([(j, 1.0) for j in js] + [(k, -1.0)], 0.0, np.inf)  # only in a shift added
    # One session per member and block, or the member is missed (at a price).
    per_block: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for k, m, worker_id, day, _start, _d in seats:
        per_block[(m, worker_id, day // 7)].append(k)
    for ks in per_block.values():
        missed = model.variable(meeting_penalty)
        model.constraint([(k, 1.0) for k in ks] + [(missed, 1.0)], 1.0, 1.0)
    # Sessions: each one held has an even share of the team, at most group_size; as few as the team's size needs.
    per_session: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for k, m, _worker_id, day, start, _d in seats:
        per_session[(m, day, start)].append(k)
    per_team_block: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (m, day, _start), ks in sorted(per_session.items()):
        need = meetings[m]
        sessions = math.ceil(len(core[m]) / need.group_size)
        held = model.variable(0.0)
        model.constraint([(k, 1.0) for k in ks] + [(held, -float(need.group_size))], -np.inf, 0.0)
        model.constraint([(k, 1.0) for k in ks] + [(held, -float(len(core[m]) // sessions))], 0.0, np.inf)
        per_team_block[(m, day // 7)].append(held)
    for (m, _block), helds in per_team_block.items():
        model.constraint([(h, 1.0) for h in helds], 0.0, float(math.ceil(len(core[m]) / meetings[m].group_size)))
    # Coverage of each queue in each interval a session may take: planned + added - in a session >= the plan's own
    # coverage or the requirement, whichever is less.
    leaving: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, m, _worker_id, _day, start, d in seats:
        for t in range(start, start + meetings[m].length):
            leaving[(d, t)].append(k)
    adding: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (_worker_id, _day), columns in extra_of.items():
        for j, o, d in columns:
            for t in spans[o]:
                if (d, t) in leaving:
                    adding[(d, t)].append(j)
    for (d, t), ks in sorted(leaving.items()):
        have = plan.scheduled[demands[d].queue][t]
        slack = max(0.0, have - max(float(demands[d].required[t]), 0.0))
        model.constraint([(j, 1.0) for j in adding[(d, t)]] + [(k, -1.0) for k in ks], -slack, np.inf)
    x = model.solve(time_limit_s)
    runtime = plan.runtime_s + time.perf_counter() - started
    if x is None:
        return replace(plan, runtime_s=runtime, message=f"{plan.message}; no room for the team meetings in time")
    by_var = {j: (w_id, o, d) for (w_id, _day), columns in extra_of.items() for j, o, d in columns}
    added = [
        Assignment(w_id, options[o], demands[d].queue, workers[index[w_id]].is_pool)
        for j, (w_id, o, d) in sorted(by_var.items())
        if x[j] > 0.5
    ]
    sessions_held: dict[tuple[str, int], list[int]] = defaultdict(list)
    for k, m, worker_id, _day, start, _d in seats:
        if x[k] > 0.5:
            sessions_held[(meetings[m].team, start)].append(worker_id)
    return _with(plan, added, demands=demands, workers=workers, sessions=sessions_held, runtime=runtime)


def _with(
    plan: Solution,
    added: Sequence[Assignment],
    *,
    demands: Sequence[Demand],
    workers: Sequence[Worker],
    sessions: dict[tuple[str, int], list[int]],
    runtime: float,
) -> Solution:
    assignments = sorted([*plan.assignments, *added], key=lambda a: (a.option.day, a.option.start, a.worker_id))
    scheduled = {queue: list(counts) for queue, counts in plan.scheduled.items()}
    for assignment in added:
        for t in assignment.option.covered():
            scheduled[assignment.queue][t] += 1
    under = {
        demand.queue: [max(0.0, float(required) - scheduled[demand.queue][t]) for t, required in
                       enumerate(demand.required)]
        for demand in demands
    }  # fmt: skip
    rate = {worker.id: worker.cost_per_hour for worker in workers}
    return Solution(
        status=plan.status,
        assignments=assignments,
        scheduled=scheduled,
        under=under,
        objective=plan.objective,
        mip_gap=plan.mip_gap,
        runtime_s=runtime,
        cost=plan.cost + sum(a.option.paid_hours * rate[a.worker_id] for a in added),
        pool_hours=plan.pool_hours + sum(a.option.paid_hours for a in added if a.is_pool),
        message=plan.message,
        meetings=[(team, start, sorted(ids)) for (team, start), ids in sorted(sessions.items())],
    )
