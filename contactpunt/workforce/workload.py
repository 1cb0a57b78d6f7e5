"""Each agent's workload per week, shown beside their weekly check-in: hours worked (signed in, not offline),
contacts handled (answered calls and chats, written contacts worked on), the share of them with an angry customer
(a message the insights read as negative) and planned breaks missed (a planned break
during which the agent was never in the break state)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from contactpunt.contacts.models import AgentState, ContactLeg, WorkSession
from contactpunt.insights.models import MessageInsight, Sentiment
from contactpunt.kpis import metrics
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.workforce.models import Activity, PlannedActivity


@dataclass(frozen=True)
class Workload:
    """One agent's week."""

    hours_worked: float
    contacts_handled: int
    breaks_planned: int
    breaks_missed: int
    angry_share: float | None = None  # of the handled contacts with analysed messages, those with a negative one


def _overlaps(since: dt.datetime, until: dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    return since < end and start < until


def _angry_share(contacts: set[int], mood: dict[int, bool]) -> float | None:
    analysed = [mood[c] for c in contacts if c in mood]
    return sum(analysed) / len(analysed) if analysed else None


def week_workload(monday: dt.date, agent_ids: Sequence[int], *, now: dt.datetime) -> dict[int, Workload]:
    """The workload of each of `agent_ids` in the local week starting `monday` up to `now` (every agent gets a
    row; a break still to come is not missed)."""
    start, end = day_bounds(monday, monday + dt.timedelta(days=6), zone())
    end = min(end, max(start, now))
    worked: dict[int, float] = defaultdict(float)
    breaks_taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for agent, state, since, until in metrics.state_spans(start, end, agent_ids=agent_ids):
        if state != AgentState.OFFLINE:
            worked[agent] += (until - since).total_seconds()
        if state == AgentState.BREAK:
            breaks_taken[agent].append((since, until))
    handled: dict[int, set[int]] = defaultdict(set)
    legs = ContactLeg.objects.filter(agent_id__in=agent_ids, answered_at__gte=start, answered_at__lt=end)
    sessions = WorkSession.objects.filter(
        agent_id__in=agent_ids, started_at__gte=start, started_at__lt=end, contact__isnull=False
    )
    for rows in (legs, sessions):
        for agent, contact in rows.values_list("agent_id", "contact_id"):
            handled[agent].add(contact)
    mood: dict[int, bool] = {}  # contact -> any negative message (only contacts with an analysed message)
    # The handled contacts as subqueries, not as a list of thousands of ids the database has to be sent.
    insights = MessageInsight.objects.filter(
        Q(contact_id__in=legs.values("contact_id")) | Q(contact_id__in=sessions.values("contact_id"))
    )
    for contact, negative in (
        insights.values("contact_id")
        .annotate(negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .values_list("contact_id", "negative")
    ):
        mood[contact] = negative > 0
    planned: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    breaks = PlannedActivity.objects.filter(
        kind=Activity.BREAK, shift__agent_id__in=agent_ids, start__gte=start, end__lte=end
    ).values_list("shift__agent_id", "start", "end")
    for agent, begin, until in breaks:
        planned[agent] += 1
        if not any(_overlaps(since, to, begin, until) for since, to in breaks_taken.get(agent, [])):
            missed[agent] += 1
    return {
        agent: Workload(
            hours_worked=worked.get(agent, 0.0) / 3600,
            contacts_handled=len(handled.get(agent, ())),
            breaks_planned=planned.get(agent, 0),
            breaks_missed=missed.get(agent, 0),
            angry_share=_angry_share(handled.get(agent, set()), mood),
        )
        for agent in agent_ids
    }
