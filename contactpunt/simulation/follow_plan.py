"""The live simulation works the product's shift plan: the planned shifts of today and tomorrow, read from the
database, go to the engine (`Engine.follow`), which has its agents work them instead of its own roster.

The live loop calls a `PlanFollower` before it simulates on; it reads the plan at most every `every_s` seconds
and sends a day again only when its shifts changed (a new plan replaced the first start's quick one, a meeting was
planned into a shift). A day without planned shifts keeps the engine's own roster (the history, or before the
first plan is made).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from contactpunt.people.models import User
from contactpunt.simulation.engine import LOCAL, PlanShift
from contactpunt.workforce.models import PlannedActivity

if TYPE_CHECKING:
    from contactpunt.simulation.run import SimulationResult

logger = logging.getLogger(__name__)
#: How often the live loop reads the plan again (seconds).
READ_EVERY_S = 30.0


def planned_days(
    days: Iterable[dt.date], *, start: dt.datetime, agent_index: Mapping[int, int]
) -> dict[dt.date, list[PlanShift]]:
    """The planned shifts of the local `days` of the agents in `agent_index` (user id -> engine agent), as the
    engine takes them: seconds since its `start`, the activities of each shift in order. Days without shifts are
    left out."""

    def seconds(moment: dt.datetime) -> float:
        return (moment - start).total_seconds()

    shifts: dict[int, tuple[dt.date, int, float, float]] = {}
    activities: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    rows = (
        PlannedActivity.objects.filter(shift__day__in=list(days), shift__agent_id__in=list(agent_index))
        .order_by("shift__start", "shift_id", "start")
        .values_list("shift_id", "shift__day", "shift__agent_id", "shift__start", "shift__end", "kind", "start", "end")
    )
    for shift_id, day, agent_id, shift_start, shift_end, kind, begin, end in rows:
        shifts.setdefault(shift_id, (day, agent_index[agent_id], seconds(shift_start), seconds(shift_end)))
        activities[shift_id].append((kind, seconds(begin), seconds(end)))
    result: dict[dt.date, list[PlanShift]] = defaultdict(list)
    for shift_id, (day, agent, since, until) in shifts.items():
        result[day].append((agent, since, until, tuple(activities[shift_id])))
    return dict(result)


class PlanFollower:
    """Send the engine of a live run the plan of today and tomorrow whenever it changed (see the module)."""

    def __init__(
        self,
        *,
        every_s: float = READ_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        leave_to_people: Collection[str] = (),
    ) -> None:
        """`leave_to_people`: usernames whose shifts the simulation leaves to a person signing in as them (the demo's
        agent1 to agent3): they are not sent to the engine, whose agent ends its shift and stays away."""
        self.leave_to_people = frozenset(leave_to_people)
        self.left_to_people: set[int] = set()  # their user ids, read once per run
        self.every_s = every_s
        self.clock = clock
        self.result: SimulationResult | None = None
        self.sent: dict[dt.date, list[PlanShift]] = {}
        self.read_at: float | None = None

    def __call__(self, result: SimulationResult, now: dt.datetime) -> int:
        """Before `result` is simulated up to `now`: send the days whose plan changed; return how many."""
        if result.organisation is None:
            return 0
        if result is not self.result:  # a fresh run (the live mode started again): its engine knows no plan
            self.result, self.sent, self.read_at = result, {}, None
            people = User.objects.filter(username__in=self.leave_to_people) if self.leave_to_people else []
            self.left_to_people = {user.pk for user in people}
        if self.read_at is not None and self.clock() - self.read_at < self.every_s:
            return 0
        self.read_at = self.clock()
        engine = result.engine
        left = self.left_to_people
        agent_index = {user_id: index for index, user_id in enumerate(result.writer.agent_ids) if user_id not in left}
        today = now.astimezone(LOCAL).date()
        days = {today, today + dt.timedelta(days=1), result.end.astimezone(LOCAL).date()}
        plans = planned_days(sorted(days), start=engine.start, agent_index=agent_index)
        changed = {day: shifts for day, shifts in plans.items() if self.sent.get(day) != shifts}
        if changed:
            logger.info("the live simulation follows the shift plan of %s", ", ".join(map(str, sorted(changed))))
            result.source.follow(changed)
            self.sent.update(changed)
        return len(changed)
