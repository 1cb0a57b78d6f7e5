"""The weekly quality sample: for every agent who handled contacts in a week, a random sample of their contacts,
stratified by channel and reproducible (seeded by the week and the agent), assigned to a reviewer.

Allocation: the sample size is shared over the agent's channels in proportion to their contacts (largest
remainder), with at least one contact of every channel while the size allows; within a channel the contacts are
drawn with `random.Random(seed)` from their ids in ascending order, so the same week gives the same sample."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from contactpunt.contacts.models import ContactLeg, WorkSession
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.people.checkins import week_of
from contactpunt.people.models import Role, User
from contactpunt.quality.models import Review, Scorecard


def seed_of(week: dt.date, agent_id: int) -> int:
    """The random seed of one agent's sample of one week (stable across runs, processes and machines)."""
    digest = hashlib.sha256(f"{week.isoformat()}:{agent_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """How many of `total` to draw from each stratum (name -> population): proportional by largest remainder,
    every stratum at least one while `total` allows, never more than a stratum holds."""
    population = sum(sizes.values())
    total = min(total, population)
    strata = sorted(s for s, n in sizes.items() if n > 0)
    if total == 0 or not strata:
        return {}
    result = dict.fromkeys(strata, 0)
    if total >= len(strata):
        for s in strata:
            result[s] = 1
    else:  # too few to cover every channel: the biggest channels first
        for s in sorted(strata, key=lambda s: (-sizes[s], s))[:total]:
            result[s] = 1
        return result
    left = total - len(strata)
    quotas = {s: left * (sizes[s] - 1) / max(population - len(strata), 1) for s in strata}
    for s in strata:
        add = min(int(quotas[s]), sizes[s] - result[s])
        result[s] += add
        left -= add
    for s in sorted(strata, key=lambda s: (-(quotas[s] - int(quotas[s])), s)):
        if left == 0:
            break
        if result[s] < sizes[s]:
            result[s] += 1
            left -= 1
    return result


def handled_contacts(week: dt.date) -> dict[int, dict[str, list[int]]]:
    """Per agent, per channel, the ids of the contacts they handled in the local week starting `week`: calls
    and chats they answered, written contacts they worked on."""
    start, end = day_bounds(week, week + dt.timedelta(days=6), zone())
    found: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    legs = ContactLeg.objects.filter(agent__isnull=False, answered_at__gte=start, answered_at__lt=end)
    for agent, contact, channel in legs.values_list("agent_id", "contact_id", "contact__channel"):
        found[agent][channel].add(contact)
    sessions = WorkSession.objects.filter(contact__isnull=False, started_at__gte=start, started_at__lt=end)
    for agent, contact, channel in sessions.values_list("agent_id", "contact_id", "contact__channel"):
        found[agent][channel].add(contact)
    return {agent: {ch: sorted(ids) for ch, ids in chans.items()} for agent, chans in found.items()}


def draw(contacts: dict[str, list[int]], size: int, seed: int) -> list[int]:
    """The sample of one agent's week: stratified by channel, reproducible for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    picked: list[int] = []
    for channel, count in sorted(allocate({ch: len(ids) for ch, ids in contacts.items()}, size).items()):
        picked += rng.sample(contacts[channel], count)
    return sorted(picked)


def reviewers_for(agent: User, reviewers: Sequence[User], seed: int) -> User | None:
    """The agent's own team lead when there is one, else one of the other reviewers chosen by the seed."""
    own = [r for r in reviewers if r.role == Role.TEAM_LEAD and r.team_id == agent.team_id and r.pk != agent.pk]
    pool = own or [r for r in reviewers if r.pk != agent.pk]
    return pool[seed % len(pool)] if pool else None


@dataclass(frozen=True)
class SampleResult:
    agents: int
    assigned: int
    created: int


def draw_week_sample(*, week: dt.date, scorecard: Scorecard, size: int, now: dt.datetime) -> SampleResult:
    """Assign the week's sample of every agent to a reviewer (team leads and managers); drawing again changes
    nothing (the same contacts, no second review)."""
    contacts = handled_contacts(week)
    agents = User.objects.filter(pk__in=contacts, role=Role.AGENT).order_by("pk")
    reviewers = list(User.objects.filter(is_active=True, role__in=[Role.TEAM_LEAD, Role.MANAGER]).order_by("pk"))
    rows = []
    for agent in agents:
        seed = seed_of(week, agent.pk)
        reviewer = reviewers_for(agent, reviewers, seed)
        if reviewer is None:
            continue
        rows += [
            Review(scorecard=scorecard, contact_id=pk, agent=agent, reviewer=reviewer, week=week, assigned_at=now)
            for pk in draw(contacts[agent.pk], size, seed)
        ]
    with transaction.atomic():
        before = Review.objects.filter(week=week, calibration__isnull=True).count()
        Review.objects.bulk_create(rows, ignore_conflicts=True)
        after = Review.objects.filter(week=week, calibration__isnull=True).count()
    return SampleResult(agents=len(agents), assigned=len(rows), created=after - before)


def active_scorecard() -> Scorecard | None:
    """The scorecard reviews are drawn with: the newest version of the first active one by name."""
    return Scorecard.objects.filter(is_active=True).order_by("name", "-version").first()


def draw_finished_week(*, now: dt.datetime, size: int) -> SampleResult | None:
    """Draw the sample of the last finished week with the active scorecard, when that week has none yet (a sample
    drawn by hand during the week stays as it is). None when there is no scorecard or the week has its sample."""
    card = active_scorecard()
    week = week_of(now) - dt.timedelta(weeks=1)
    if card is None or Review.objects.filter(week=week, calibration__isnull=True).exists():
        return None
    return draw_week_sample(week=week, scorecard=card, size=size, now=now)
