"""The shift-planning model: choose shifts for named agents so that they cover the required agents per interval.

A mixed-integer programme solved by HiGHS (through `scipy.optimize.milp`). One binary per agent x shift
option (a template placed on a day) x queue the agent has the skills for; one continuous shortfall per
queue x interval. The objective is, in order of weight:

1. under-coverage: `under_penalty` per missing agent-interval;
2. the flexible pool: `pool_penalty` per pool hour, so pool people are scheduled only where core staff
   cannot cover (a core agent at any cost is cheaper than a pool person);
3. cost: paid hours x each person's cost per hour.

4. the weekly team meeting: `meeting_penalty` per agent left without a session in a seven-day block (below
   under-coverage, so a meeting never costs the customer a gap; above an extra hour, so capacity is made).

Meetings (`MeetingNeed`): one binary per team member x candidate start, and one per session held; a member
attends at most one session per seven-day block, only inside a shift of theirs that covers the whole session; a
team holds as few sessions as its size needs (seven members: two), each with as even a share as that allows (at
least three of seven, at most `group_size`); and in every interval the agents at work less those in a session
still cover the summed requirement (less its shortfall). The team lead's meeting planner then places the
sessions into the room the plan made.

Constraints: at most one shift per agent per day, each agent's paid hours within [min, max] in every week
of the horizon (blocks of seven days from its first day; a shorter last block has no minimum; pool people
have none), shifts only inside an agent's availability, and an agent covers a
queue only with all of its skills. Breaks inside a shift do not cover. Everything is indexed on one grid
of intervals, so a day with a clock change simply has fewer or more of them.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

UNDER_PENALTY = 1000.0
POOL_PENALTY = 100.0
MEETING_PENALTY = 500.0


@dataclass(frozen=True)
class ShiftOption:
    """A shift that can be worked: a template placed at `start` (interval index) on day `day`.

    `breaks` are (offset, length) in intervals from the shift start, during which the shift does not
    cover. `paid_hours` is what the shift costs and counts towards an agent's hours.
    """

    key: str
    day: int
    start: int
    length: int
    paid_hours: float
    breaks: tuple[tuple[int, int], ...] = ()

    def covered(self) -> list[int]:
        """Return the interval indexes the shift covers (its span less its breaks)."""
        off = {self.start + offset + step for offset, length in self.breaks for step in range(length)}
        return [t for t in range(self.start, self.start + self.length) if t not in off]


@dataclass(frozen=True)
class Worker:
    """A person who can be scheduled: core staff or a member of the flexible pool.

    `min_hours` and `max_hours` hold for each week (seven-day block) of the horizon. `available` lists the
    interval indexes the person may work (None: any); a shift must lie inside it.
    """

    id: int
    name: str = ""
    skills: frozenset[str] = frozenset()
    min_hours: float = 0.0
    max_hours: float = 40.0
    cost_per_hour: float = 0.0
    is_pool: bool = False
    available: frozenset[int] | None = None


@dataclass(frozen=True)
class Demand:
    """The agents a queue needs per interval (index into the horizon's grid), and the skills it asks for."""

    queue: str
    required: Sequence[float]
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MeetingNeed:
    """A team's weekly meeting: each of `workers` (ids) joins one session of `length` intervals per seven-day
    block, starting at one of `starts` (interval indexes, each with the day of the horizon it lies on)."""

    team: str
    workers: frozenset[int]
    starts: tuple[tuple[int, int], ...]  # (day, interval index)
    length: int = 2
    group_size: int = 5


@dataclass(frozen=True)
class Assignment:
    worker_id: int
    option: ShiftOption
    queue: str
    is_pool: bool


@dataclass(frozen=True)
class Solution:
    """The chosen shifts and what they give.

    `status` is "optimal", "time_limit" (the best plan found when time ran out; `mip_gap` says how far
    from proven optimal) or "infeasible" (hard constraints such as minimum hours cannot all hold).
    `scheduled[queue][t]` is the agents covering interval t; `under[queue][t]` the shortfall (never < 0).
    """

    status: str
    assignments: list[Assignment]
    scheduled: dict[str, list[int]]
    under: dict[str, list[float]]
    objective: float | None
    mip_gap: float | None
    runtime_s: float
    cost: float
    pool_hours: float
    message: str = ""
    #: The meeting capacity the plan reserved: (team, start interval, attending worker ids).
    meetings: list[tuple[str, int, list[int]]] = field(default_factory=list)
    under_total: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "under_total", float(sum(sum(values) for values in self.under.values())))


def fits(worker: Worker, option: ShiftOption) -> bool:
    """Whether the shift lies inside the worker's availability."""
    if worker.available is None:
        return True
    return all(t in worker.available for t in range(option.start, option.start + option.length))


def solve(
    demands: Sequence[Demand],
    options: Sequence[ShiftOption],
    workers: Sequence[Worker],
    *,
    time_limit_s: float = 30.0,
    under_penalty: float = UNDER_PENALTY,
    pool_penalty: float = POOL_PENALTY,
    mip_rel_gap: float = 1e-4,
    meetings: Sequence[MeetingNeed] = (),
    meeting_penalty: float = MEETING_PENALTY,
) -> Solution:
    """Return the plan minimising under-coverage, then pool hours, then cost (see the module docstring)."""
    started = time.perf_counter()
    horizon = max((len(d.required) for d in demands), default=0)
    if any(len(d.required) != horizon for d in demands):
        raise ValueError("every demand needs the same number of intervals")
    if time_limit_s <= 0:
        raise ValueError("time_limit_s must be positive")
    for option in options:
        if option.start < 0 or option.start + option.length > horizon:
            raise ValueError(f"shift option {option.key} on day {option.day} lies outside the horizon")
    columns: list[tuple[int, int, int]] = []  # (worker index, option index, demand index)
    for w, worker in enumerate(workers):
        for o, option in enumerate(options):
            if not fits(worker, option):
                continue
            for d, demand in enumerate(demands):
                if demand.skills <= worker.skills:
                    columns.append((w, o, d))
    n_x = len(columns)
    n_under = len(demands) * horizon
    seats = _seats(meetings, workers, options)
    n_seats = len(seats)
    blocks = sorted({(w, day // 7) for _m, w, day, _t in seats})
    held = sorted({(m, day, start) for m, _w, day, start in seats})
    n_vars = n_x + n_under + n_seats + len(blocks) + len(held)
    cost = np.zeros(n_vars)
    for j, (w, o, _d) in enumerate(columns):
        worker, option = workers[w], options[o]
        cost[j] = option.paid_hours * (worker.cost_per_hour + (pool_penalty if worker.is_pool else 0.0))
    cost[n_x : n_x + n_under] = under_penalty
    cost[n_x + n_under + n_seats : n_x + n_under + n_seats + len(blocks)] = meeting_penalty
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    row = 0
    # Coverage: sum of covering shifts + shortfall >= required, one row per demand x interval.
    covered = [options[o].covered() for o in range(len(options))]
    for j, (_w, o, d) in enumerate(columns):
        for t in covered[o]:
            rows.append(d * horizon + t)
            cols.append(j)
            vals.append(1.0)
    for d, demand in enumerate(demands):
        for t in range(horizon):
            rows.append(d * horizon + t)
            cols.append(n_x + d * horizon + t)
            vals.append(1.0)
            lower.append(float(max(demand.required[t], 0.0)))
            upper.append(np.inf)
    row = n_under
    # One shift per worker per day.
    by_worker_day: dict[tuple[int, int], list[int]] = {}
    by_worker: dict[int, list[int]] = {}
    for j, (w, o, _d) in enumerate(columns):
        by_worker_day.setdefault((w, options[o].day), []).append(j)
        by_worker.setdefault(w, []).append(j)
    for members in by_worker_day.values():
        for j in members:
            rows.append(row)
            cols.append(j)
            vals.append(1.0)
        lower.append(0.0)
        upper.append(1.0)
        row += 1
    # Paid hours within [min, max] per worker and week (pool people and a short last week: no minimum).
    days = max((option.day for option in options), default=-1) + 1
    for w, worker in enumerate(workers):
        for week in range((days + 6) // 7):
            members = [j for j in by_worker.get(w, []) if options[columns[j][1]].day // 7 == week]
            full_week = (week + 1) * 7 <= days
            minimum = worker.min_hours if full_week and not worker.is_pool else 0.0
            if not members:
                if minimum > 0:
                    reason = f"{worker.name or worker.id} cannot be scheduled in week {week + 1}"
                    return _empty(demands, horizon, started, "infeasible", reason)
                continue
            for j in members:
                rows.append(row)
                cols.append(j)
                vals.append(options[columns[j][1]].paid_hours)
            lower.append(minimum)
            upper.append(worker.max_hours)
            row += 1
    if n_vars == 0:
        return _empty(demands, horizon, started, "optimal", "nothing to plan")
    row = _meeting_rows(
        meetings,
        (seats, blocks, held),
        columns,
        covered,
        demands,
        (n_x, n_under),
        row,
        (rows, cols, vals, lower, upper),
    )
    matrix = coo_matrix((vals, (rows, cols)), shape=(row, n_vars)).tocsr()
    integrality = np.zeros(n_vars)
    integrality[:n_x] = 1
    integrality[n_x + n_under : n_x + n_under + n_seats] = 1
    integrality[n_x + n_under + n_seats + len(blocks) :] = 1
    bounds = Bounds(
        np.zeros(n_vars),
        np.concatenate(
            [np.ones(n_x), np.full(n_under, np.inf), np.ones(n_seats), np.ones(len(blocks)), np.ones(len(held))]
        ),
    )
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap, "presolve": True},
    )
    runtime = time.perf_counter() - started
    if result.x is None:
        status = "infeasible" if result.status == 2 else "time_limit"
        return _empty(demands, horizon, started, status, str(result.message))
    chosen = [j for j in range(n_x) if result.x[j] > 0.5]
    assignments = [
        Assignment(workers[columns[j][0]].id, options[columns[j][1]], demands[columns[j][2]].queue,
                   workers[columns[j][0]].is_pool)
        for j in chosen
    ]  # fmt: skip
    scheduled = {demand.queue: [0] * horizon for demand in demands}
    for assignment in assignments:
        for t in assignment.option.covered():
            scheduled[assignment.queue][t] += 1
    under = {
        demand.queue: [max(0.0, float(demand.required[t]) - scheduled[demand.queue][t]) for t in range(horizon)]
        for demand in demands
    }
    by_id = {worker.id: worker for worker in workers}
    paid_cost = sum(a.option.paid_hours * by_id[a.worker_id].cost_per_hour for a in assignments)
    pool_hours = sum(a.option.paid_hours for a in assignments if a.is_pool)
    gap = getattr(result, "mip_gap", None)
    sessions: dict[tuple[str, int], list[int]] = {}
    for k, (m, w, _day, start) in enumerate(seats):
        if result.x[n_x + n_under + k] > 0.5:
            sessions.setdefault((meetings[m].team, start), []).append(workers[w].id)
    return Solution(
        status="optimal" if result.status == 0 else "time_limit",
        assignments=sorted(assignments, key=lambda a: (a.option.day, a.option.start, a.worker_id)),
        scheduled=scheduled,
        under=under,
        objective=float(result.fun),
        mip_gap=float(gap) if gap is not None else None,
        runtime_s=runtime,
        cost=float(paid_cost),
        pool_hours=float(pool_hours),
        message=str(result.message),
        meetings=[(team, start, sorted(ids)) for (team, start), ids in sorted(sessions.items())],
    )


def _seats(
    meetings: Sequence[MeetingNeed], workers: Sequence[Worker], options: Sequence[ShiftOption]
) -> list[tuple[int, int, int, int]]:
    """The meeting binaries: (meeting index, worker index, day, start) for each member and candidate start."""
    index = {worker.id: w for w, worker in enumerate(workers) if not worker.is_pool}
    return [
        (m, index[worker_id], day, start)
        for m, need in enumerate(meetings)
        for worker_id in sorted(need.workers)
        if worker_id in index
        for day, start in need.starts
    ]


def _meeting_rows(  # noqa: PLR0917 - the model's parts, passed as they are
    meetings: Sequence[MeetingNeed],
    variables: tuple[list[tuple[int, int, int, int]], list[tuple[int, int]], list[tuple[int, int, int]]],
    columns: Sequence[tuple[int, int, int]],
    covered: Sequence[list[int]],
    demands: Sequence[Demand],
    sizes: tuple[int, int],
    row: int,
    matrix: tuple[list[int], list[int], list[float], list[float], list[float]],
) -> int:
    """Append the meeting constraints (see the module docstring); return the next free row."""
    seats, blocks, held = variables
    if not seats:
        return row
    rows, cols, vals, lower, upper = matrix
    n_x, n_under = sizes
    first_seat, first_block = n_x + n_under, n_x + n_under + len(seats)
    first_held = first_block + len(blocks)
    horizon = len(demands[0].required) if demands else 0
    length = [need.length for need in meetings]

    def constraint(terms: list[tuple[int, float]], low: float, high: float) -> None:
        nonlocal row
        for column, value in terms:
            rows.append(row)
            cols.append(column)
            vals.append(value)
        lower.append(low)
        upper.append(high)
        row += 1

    # One session per member and block, or the member counts as missed.
    block_of = {block: b for b, block in enumerate(blocks)}
    per_block: dict[int, list[int]] = {}
    for k, (_m, w, day, _start) in enumerate(seats):
        per_block.setdefault(block_of[(w, day // 7)], []).append(k)
    for b, ks in per_block.items():
        constraint([(first_seat + k, 1.0) for k in ks] + [(first_block + b, 1.0)], 1.0, 1.0)
    # A member attends only inside a shift of theirs covering the whole session.
    spans = [set(c) for c in covered]
    by_worker: dict[int, list[int]] = {}
    for j, (w, _o, _d) in enumerate(columns):
        by_worker.setdefault(w, []).append(j)
    for k, (m, w, _day, start) in enumerate(seats):
        session = set(range(start, start + length[m]))
        shifts = [(j, 1.0) for j in by_worker.get(w, []) if session <= spans[columns[j][1]]]
        constraint([(first_seat + k, -1.0), *shifts], 0.0, np.inf)
    # A session held has an even share of the team (at most group_size); a team holds as few as its size needs.
    members = Counter(m for m, _w in {(m, w) for m, w, _day, _start in seats})
    per_session: dict[tuple[int, int, int], list[int]] = {}
    for k, (m, _w, day, start) in enumerate(seats):
        per_session.setdefault((m, day, start), []).append(k)
    per_team_block: dict[tuple[int, int], list[int]] = {}
    for h, (m, day, start) in enumerate(held):
        sessions = math.ceil(members[m] / meetings[m].group_size)
        smallest = members[m] // sessions
        seated = [(first_seat + k, 1.0) for k in per_session[(m, day, start)]]
        constraint([*seated, (first_held + h, -float(meetings[m].group_size))], -np.inf, 0.0)
        constraint([*seated, (first_held + h, -float(smallest))], 0.0, np.inf)
        per_team_block.setdefault((m, day // 7), []).append(h)
    for (m, _block), hs in per_team_block.items():
        sessions = math.ceil(members[m] / meetings[m].group_size)
        constraint([(first_held + h, 1.0) for h in hs], 0.0, float(sessions))
    # In every interval a session covers: at work, less those in a session, plus shortfall >= the summed need.
    in_session: dict[int, list[int]] = {}
    for k, (m, _w, _day, start) in enumerate(seats):
        for t in range(start, start + length[m]):
            in_session.setdefault(t, []).append(k)
    at_work: dict[int, list[int]] = {}
    for j, (_w, o, _d) in enumerate(columns):
        for t in covered[o]:
            if t in in_session:
                at_work.setdefault(t, []).append(j)
    for t, ks in sorted(in_session.items()):
        terms = [(j, 1.0) for j in at_work.get(t, [])] + [(first_seat + k, -1.0) for k in ks]
        terms += [(n_x + d * horizon + t, 1.0) for d in range(len(demands))]
        constraint(terms, float(sum(max(demand.required[t], 0.0) for demand in demands)), np.inf)
    return row


def _empty(demands: Sequence[Demand], horizon: int, started: float, status: str, message: str) -> Solution:
    return Solution(
        status=status,
        assignments=[],
        scheduled={d.queue: [0] * horizon for d in demands},
        under={d.queue: [float(max(r, 0.0)) for r in d.required] for d in demands},
        objective=None,
        mip_gap=None,
        runtime_s=time.perf_counter() - started,
        cost=0.0,
        pool_hours=0.0,
        message=message,
    )
