"""Schedule adherence and occupancy per agent and per team: agent state events against the planned activities.

The formulas live in `kpis.metrics` (`adherent_seconds`, `schedule_adherence`, `occupancy`); this module
loads the schedule and the state stretches of a period and groups them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from contactpunt.kpis import metrics
from contactpunt.people.models import User
from contactpunt.workforce.models import PlannedActivity
from contactpunt.workforce.queries import natural


@dataclass(frozen=True)
class AdherenceRow:
    """One agent's or team's figures for a period; fractions 0..1, None when there is nothing to divide by."""

    key: int | None
    name: str
    scheduled_s: float
    adherent_s: float
    adherence: float | None
    occupancy: float | None


def scheduled_stretches(
    start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None
) -> dict[int, list[metrics.Stretch]]:
    """Every agent's planned activities overlapping [start, end), cut at the period's edges."""
    rows = PlannedActivity.objects.filter(start__lt=end, end__gt=start)
    if agent_ids is not None:
        rows = rows.filter(shift__agent_id__in=agent_ids)
    result: dict[int, list[metrics.Stretch]] = defaultdict(list)
    for agent_id, kind, begin, until in rows.values_list("shift__agent_id", "kind", "start", "end").order_by("start"):
        result[agent_id].append((kind, max(begin, start), min(until, end)))
    return result


def per_agent(
    start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None
) -> dict[int, tuple[tuple[float, float], dict[str, float]]]:
    """(adherent, scheduled) seconds and seconds per state of each agent who was scheduled or had states."""
    schedule = scheduled_stretches(start, end, agent_ids=agent_ids)
    states: dict[int, list[metrics.Stretch]] = defaultdict(list)
    for agent, state, since, until in metrics.state_spans(start, end, agent_ids=agent_ids):
        states[agent].append((state, since, until))
    result = {}
    for agent in sorted(set(schedule) | set(states)):
        seconds: dict[str, float] = defaultdict(float)
        for state, since, until in states.get(agent, []):
            seconds[state] += (until - since).total_seconds()
        parts = metrics.adherent_seconds(schedule.get(agent, []), states.get(agent, []))
        result[agent] = (parts, dict(seconds))
    return result


def adherence_report(
    start: dt.datetime, end: dt.datetime, *, by: str = "agent", agent_ids: Sequence[int] | None = None
) -> list[AdherenceRow]:
    """Schedule adherence and occupancy over [start, end) per agent or per team (`by`: agent or team)."""
    if by not in {"agent", "team"}:
        raise ValueError("group by agent or team")
    figures = per_agent(start, end, agent_ids=agent_ids)
    users = {u.pk: u for u in User.objects.filter(pk__in=figures).select_related("team")}
    groups: dict[int | None, list[int]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for agent in figures:
        user = users[agent]
        key = agent if by == "agent" else user.team_id
        groups[key].append(agent)
        if by == "agent":
            names[key] = user.display_name
        else:
            names[key] = user.team.name if user.team else "—"
    rows = []
    for key, members in groups.items():
        parts = [figures[m][0] for m in members]
        adherent = sum(p[0] for p in parts)
        scheduled = sum(p[1] for p in parts)
        rows.append(
            AdherenceRow(
                key=key,
                name=names[key],
                scheduled_s=scheduled,
                adherent_s=adherent,
                adherence=metrics.schedule_adherence(parts),
                occupancy=metrics.occupancy(figures[m][1] for m in members),
            )
        )
    return sorted(rows, key=lambda r: natural(r.name))
