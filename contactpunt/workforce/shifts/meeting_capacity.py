"""The room a shift plan makes for the weekly short team meeting (`contactpunt.workforce.meetings`).

For each seven-day block of the plan, every team of core agents asks that each of its members can leave work for
one session of twenty minutes, in groups of about five, at one of a few candidate moments in the middle of the
open day. `meeting_room.make_room` places those sessions into the plan made without them (adding a shift only where
the shifts leave no room), so the queues stay covered while a session runs; the solver can also take them in its
one model (`MeetingNeed`). The team lead's meeting planner places the sessions into that room afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from contactpunt.kpis.intervals import INTERVAL
from contactpunt.people.models import User
from contactpunt.workforce.meetings import GROUP_SIZE, LENGTH
from contactpunt.workforce.shifts.solver import Demand, MeetingNeed, Worker

#: Local starting times a session may take: on the half hour, after the morning start, before the day's end.
CANDIDATE_TIMES = (dt.time(9, 30), dt.time(10, 30), dt.time(11, 30), dt.time(13, 30), dt.time(14, 30), dt.time(15, 30))


def meeting_needs(  # noqa: PLR0917 - the plan's grid, as planning has it
    workers: Sequence[Worker],
    demands: Sequence[Demand],
    starts: Sequence[dt.datetime],
    first_day: dt.date,
    days: int,
    zone: ZoneInfo,
) -> list[MeetingNeed]:
    """One need per team with core agents in the plan, over the plan's whole seven-day blocks (a shorter plan, or
    its last partial block, reserves nothing: the meeting of that week is planned with the week)."""
    full_days = days // 7 * 7
    core = [worker.id for worker in workers if not worker.is_pool]
    if not full_days or not core:
        return []
    teams: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in User.objects.filter(pk__in=core, team__isnull=False).values_list("pk", "team_id"):
        teams[team_id].add(user_id)
    length = math.ceil(LENGTH / INTERVAL)
    needed = [sum(max(demand.required[t], 0.0) for demand in demands) for t in range(len(starts))]
    candidates = []
    for t, moment in enumerate(starts):
        local = moment.astimezone(zone)
        day = (local.date() - first_day).days
        session = range(t, t + length)
        on_the_grid = day < full_days and local.time() in CANDIDATE_TIMES and session.stop <= len(starts)
        if on_the_grid and all(needed[i] > 0 for i in session):  # the queues are open for the whole session
            candidates.append((day, t))
    if not candidates:
        return []
    return [
        MeetingNeed(str(team_id), frozenset(members), tuple(candidates), length, GROUP_SIZE)
        for team_id, members in sorted(teams.items())
    ]
