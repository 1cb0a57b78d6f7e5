"""The live wallboard: the figures of now (`live.now_figures`, the same as the "today" page) and agents by state."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery

from contactpunt.contacts.models import AgentState, AgentStateEvent
from contactpunt.kpis.live import Now, QueueNow, now_figures
from contactpunt.people.models import User


@dataclass(frozen=True, slots=True)
class Wallboard:
    figures: Now
    agents_by_state: dict[str, int]

    @property
    def at(self) -> dt.datetime:
        return self.figures.at

    @property
    def queues(self) -> list[QueueNow]:
        return self.figures.queues

    @property
    def waiting(self) -> int:
        return self.figures.waiting

    @property
    def longest_wait_s(self) -> float | None:
        return self.figures.longest_wait_s

    @property
    def service_level_today(self) -> float | None:
        return self.figures.service_level_today

    @property
    def states(self) -> list[tuple[str, int]]:
        """(label, agents) per agent state, in the states' order."""
        return state_labels(self.agents_by_state)


def state_labels(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(translated label, count) per agent state."""
    return [(str(AgentState(state).label), n) for state, n in counts.items()]


def agents_by_state() -> dict[str, int]:
    """How many agents are in each state now, by their latest state event (agents without one are left out)."""
    latest = AgentStateEvent.objects.filter(agent=OuterRef("pk")).order_by("-occurred_at", "-pk").values("state")[:1]
    # One indexed look-up per agent (agent_state_idx); a join with every state event costs seconds on a year.
    states = Counter(
        state
        for state in User.objects.annotate(state=Subquery(latest))
        .filter(state__isnull=False)
        .values_list("state", flat=True)
    )
    return {state: states.get(state, 0) for state in AgentState.values}


def build(now: dt.datetime, zone: ZoneInfo) -> Wallboard:
    """The wallboard at `now`: the figures of now per queue and for the centre, and the agents by state."""
    return Wallboard(now_figures(now, zone), agents_by_state())
