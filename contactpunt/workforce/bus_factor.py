"""The bus factor per skill and interval: on every planned quarter hour (someone is scheduled to work), at least
two people qualified in each skill an active queue asks for must be at work, or the stretch is a warning."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from contactpunt.kpis.intervals import INTERVAL, day_bounds, interval_start, zone
from contactpunt.people.models import Skill
from contactpunt.people.skills import QUALIFIED, levels
from contactpunt.workforce.models import Activity, PlannedActivity

MINIMUM = 2


@dataclass(frozen=True)
class Warning:
    """A stretch of consecutive planned intervals with fewer than two qualified people at work for a skill."""

    skill: Skill
    start: dt.datetime
    end: dt.datetime
    fewest: int


def at_work(start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, set[int]]:
    """The people in a work activity at the start of every quarter hour of [start, end)."""
    present: dict[dt.datetime, set[int]] = defaultdict(set)
    rows = PlannedActivity.objects.filter(kind=Activity.WORK, start__lt=end, end__gt=start)
    for agent, begin, until in rows.values_list("shift__agent_id", "start", "end"):
        moment = max(interval_start(begin), start)
        if moment < begin:
            moment += INTERVAL
        while moment < min(until, end):
            present[moment].add(agent)
            moment += INTERVAL
    return present


def warnings(first: dt.date, days: int) -> list[Warning]:
    """Every stretch of the local days [first, first + days) where a skill that an active queue asks for has
    fewer than two qualified people (level 2 and up) at work while anyone is scheduled."""
    start, end = day_bounds(first, first + dt.timedelta(days=days - 1), zone())
    present = at_work(start, end)
    skills = list(Skill.objects.filter(queues__is_active=True).distinct().order_by("name"))
    people = sorted({p for group in present.values() for p in group})
    known = levels(people, [s.pk for s in skills])
    found: list[Warning] = []
    for skill in skills:
        qualified = {p for p in people if known.get((p, skill.pk), 0) >= QUALIFIED}
        stretch: tuple[dt.datetime, dt.datetime, int] | None = None
        for moment in sorted(present):
            count = len(present[moment] & qualified)
            if count < MINIMUM:
                if stretch is not None and stretch[1] == moment:
                    stretch = (stretch[0], moment + INTERVAL, min(stretch[2], count))
                else:
                    if stretch is not None:
                        found.append(Warning(skill, *stretch))
                    stretch = (moment, moment + INTERVAL, count)
        if stretch is not None:
            found.append(Warning(skill, *stretch))
    return found
