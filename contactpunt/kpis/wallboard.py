"""The live wallboard's figures: waiting now, longest wait, agents by state, service level so far today."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, OuterRef, Subquery

from contactpunt.contacts.models import AgentState, AgentStateEvent, ContactLeg, ContactStatus, Queue
from contactpunt.kpis import metrics
from contactpunt.kpis.facts import CONTACT, LEG, Unit, load_units
from contactpunt.kpis.intervals import local_midnight
from contactpunt.people.models import User


@dataclass(frozen=True, slots=True)
class QueueNow:
    queue_id: int
    code: str
    name: str
    channel: str
    waiting: int
    longest_wait_s: float | None
    offered_today: int
    answered_today: int
    service_level_today: float | None
    sl_target: float


@dataclass(frozen=True, slots=True)
class Wallboard:
    at: dt.datetime
    queues: list[QueueNow]
    agents_by_state: dict[str, int]
    waiting: int
    longest_wait_s: float | None
    service_level_today: float | None

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
    states = Counter(
        state
        for state in User.objects.filter(state_events__isnull=False)
        .distinct()
        .annotate(state=Subquery(latest))
        .values_list("state", flat=True)
    )
    return {state: states.get(state, 0) for state in AgentState.values}


def build(now: dt.datetime, zone: ZoneInfo) -> Wallboard:
    """The wallboard at `now`: contacts waiting per queue (in their current leg) and today's service level,
    where contacts still waiting past the threshold count as missed."""
    local_day = now.astimezone(zone).date()
    start = local_midnight(local_day, zone)
    waiting = {
        row["queue_id"]: row
        for row in ContactLeg.objects.filter(
            answered_at__isnull=True, ended_at__isnull=True, contact__status=ContactStatus.QUEUED
        )
        .values("queue_id")
        .annotate(n=Count("pk"), oldest=Min("queued_at"))
        .order_by()
    }
    units: dict[int, list[Unit]] = defaultdict(list)
    for unit in load_units(start, now + dt.timedelta(seconds=1), level=LEG):
        units[unit.queue_id].append(unit)
    rows = []
    for queue in Queue.objects.filter(is_active=True).order_by("name"):
        wait = waiting.get(queue.pk)
        today = units.get(queue.pk, [])
        rows.append(
            QueueNow(
                queue.pk,
                queue.code,
                queue.name,
                queue.channel,
                wait["n"] if wait else 0,
                (now - wait["oldest"]).total_seconds() if wait else None,
                metrics.offered(today),
                metrics.answered(today),
                metrics.service_level(today, now=now),
                float(queue.sl_target),
            )
        )
    # The centre's service level counts each contact once (a transfer is no second offer).
    every = load_units(start, now + dt.timedelta(seconds=1), level=CONTACT)
    longest = [r.longest_wait_s for r in rows if r.longest_wait_s is not None]
    return Wallboard(
        now,
        rows,
        agents_by_state(),
        sum(r.waiting for r in rows),
        max(longest) if longest else None,
        metrics.service_level(every, now=now),
    )
