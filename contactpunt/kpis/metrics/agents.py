"""Agent figures: state spans, occupancy and schedule adherence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import connection
from django.db.models import OuterRef, Subquery

from contactpunt import replica
from contactpunt.contacts.models import AgentState, AgentStateEvent
from contactpunt.fast_rows import values_rows
from contactpunt.kpis.metrics.definitions import ratio
from contactpunt.kpis.rollups_sql import _Dialect
from contactpunt.people.models import User

Span = tuple[int, str, dt.datetime, dt.datetime]


def state_spans(start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None) -> list[Span]:
    """(agent, state, from, to) for every stretch of agent state within [start, end); a state lasts until
    the agent's next state event (the last one until `end`). Cut exactly at the period's edges."""
    events = AgentStateEvent.objects.all()
    if agent_ids is not None:
        events = events.filter(agent_id__in=agent_ids)
    current: dict[int, tuple[str, dt.datetime]] = {
        agent: (state, start) for agent, state in _states_at(start, agent_ids).items()
    }
    spans: list[Span] = []
    # A month of a centre's state changes is tens of thousands of rows: read without the ORM's per-value calls.
    for agent, state, at in values_rows(
        events.filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by("occurred_at", "pk")
        .values_list("agent_id", "state", "occurred_at")
    ):
        if agent in current:
            previous, since = current[agent]
            spans.append((agent, previous, since, at))
        current[agent] = (state, at)
    spans += [(agent, state, since, end) for agent, (state, since) in current.items()]
    return spans


def state_seconds(
    start: dt.datetime, end: dt.datetime, *, agent_ids: Sequence[int] | None = None
) -> dict[int, dict[str, float]]:
    """Seconds each agent spent in each state within [start, end): the sums of `state_spans`, summed by the database
    in exact microseconds (a month of a centre's state changes is tens of thousands of rows)."""
    d = _Dialect()
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    end_us = (end - epoch) // dt.timedelta(microseconds=1)
    adapt = connection.ops.adapt_datetimefield_value
    agents_sql, values = ("", [adapt(start), adapt(end)])
    if agent_ids is not None:
        if not agent_ids:
            return {}
        agents_sql = f" AND agent_id IN ({', '.join(str(int(a)) for a in agent_ids)})"
    # Only integers and the model's table name are formatted in; the moments are parameters.
    sql = f"""
WITH ev AS (
    SELECT agent_id, state, {d.epoch_us("occurred_at")} AS at_us,
           LEAD({d.epoch_us("occurred_at")}) OVER (PARTITION BY agent_id ORDER BY occurred_at, id) AS next_us
    FROM {AgentStateEvent._meta.db_table} WHERE occurred_at >= %s AND occurred_at < %s{agents_sql}
)
SELECT agent_id, state, SUM(COALESCE(next_us, {end_us}) - at_us), MIN(at_us) FROM ev GROUP BY agent_id, state"""  # noqa: S608
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first_us: dict[int, int] = {}
    with replica.reading_connection().cursor() as cursor:  # a dashboard's reads go to the replica, when one is set
        cursor.execute(sql, values)
        for agent, state, us, first in cursor.fetchall():
            totals[agent][state] += int(us)
            first_us[agent] = min(first_us.get(agent, end_us), int(first))
    start_us = (start - epoch) // dt.timedelta(microseconds=1)
    # Each agent's state when the period began lasts until their first change in it (or its end).
    for agent, state in _states_at(start, agent_ids).items():
        totals[agent][state] += first_us.get(agent, end_us) - start_us
    return {agent: {state: us / 1_000_000 for state, us in states.items()} for agent, states in totals.items()}


def _states_at(start: dt.datetime, agent_ids: Sequence[int] | None) -> dict[int, str]:
    """Each agent's latest state before `start` (agents without one left out)."""
    latest = (
        AgentStateEvent.objects.filter(agent=OuterRef("pk"), occurred_at__lt=start)
        .order_by("-occurred_at", "-pk")
        .values("state")[:1]
    )
    agents = User.objects.all() if agent_ids is None else User.objects.filter(pk__in=agent_ids)
    return dict(agents.annotate(state=Subquery(latest)).filter(state__isnull=False).values_list("pk", "state"))


def split_spans(spans: Iterable[Span], next_edge: Callable[[dt.datetime], dt.datetime]) -> list[Span]:
    """Cut every span at the edges `next_edge` gives (the next interval or local midnight after a moment):
    agent-state time belongs to the intervals in which it happened."""
    pieces: list[Span] = []
    for agent, state, begin, until in spans:
        moment = begin
        while moment < until:
            cut = min(next_edge(moment), until)
            pieces.append((agent, state, moment, cut))
            moment = cut
    return pieces


def occupancy(states: Iterable[dict[str, float]]) -> float | None:
    """Occupancy = (on contact + wrap-up) / (on contact + wrap-up + available), over agent state time."""
    busy = available = 0.0
    for seconds in states:
        busy += seconds.get(AgentState.ON_CONTACT, 0.0) + seconds.get(AgentState.WRAP_UP, 0.0)
        available += seconds.get(AgentState.AVAILABLE, 0.0)
    return ratio(busy, busy + available)


# Which agent states count as being in each scheduled activity (the workforce app's Activity values).
ACTIVITY_STATES: dict[str, frozenset[str]] = {
    "work": frozenset({AgentState.AVAILABLE, AgentState.ON_CONTACT, AgentState.WRAP_UP}),
    "break": frozenset({AgentState.BREAK}),
    "meeting": frozenset({AgentState.MEETING}),
    "training": frozenset({AgentState.TRAINING}),
}
ADHERENCE_GRACE = dt.timedelta(minutes=5)

Stretch = tuple[str, dt.datetime, dt.datetime]


def adherent_seconds(
    scheduled: Iterable[Stretch], states: Sequence[Stretch], *, grace: dt.timedelta = ADHERENCE_GRACE
) -> tuple[float, float]:
    """Return (seconds in the scheduled activity, scheduled seconds) for one agent.

    `scheduled` holds (activity, from, to) and `states` (agent state, from, to), both without overlaps. A
    scheduled second is adherent when the agent's state maps to the activity (`ACTIVITY_STATES`), or when it
    lies within `grace` after a change of activity (the start of a shift, the start or end of a break):
    moving between activities takes a moment.
    """
    adherent = total = 0.0
    previous: tuple[str, dt.datetime] | None = None
    for activity, begin, until in sorted(scheduled, key=lambda item: item[1]):
        total += (until - begin).total_seconds()
        changed = previous is None or previous[0] != activity or previous[1] != begin
        checked_from = min(begin + grace, until) if changed else begin
        adherent += (checked_from - begin).total_seconds()
        wanted = ACTIVITY_STATES.get(activity, frozenset())
        for state, since, to in states:
            if state in wanted:
                overlap = (min(until, to) - max(checked_from, since)).total_seconds()
                adherent += max(0.0, overlap)
        previous = (activity, until)
    return adherent, total


def schedule_adherence(parts: Iterable[tuple[float, float]]) -> float | None:
    """Schedule adherence = time in the scheduled activity / scheduled time, over (adherent, scheduled) parts."""
    adherent = scheduled = 0.0
    for inside, total in parts:
        adherent += inside
        scheduled += total
    return ratio(adherent, scheduled)
