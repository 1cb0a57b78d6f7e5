"""The short-cycle report: per team, the top improvement points of one week (Monday to Sunday, local).

For every team (the team of the agent who handled the contact, see ``remarks.handling_agents``) and
for the whole centre:

The week's new topics are those of the last detection run in the week (each run replaces its day's).

- **growing reasons**: contact reasons with the largest increase in inbound contacts over the week
  before (at least ``MIN_GROWTH`` more, and at least ``MIN_COUNT`` this week);
- **negative remarks**: the reasons with the most negative messages this week;
- **repeat contacts**: the reasons of the week's repeat contacts (the kpis definition: an inbound
  contact of an identified customer within 7 days of an earlier handled contact of theirs).

The centre also gets the week's reason spikes and new topics.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

from contactpunt.contacts.models import Contact, ContactReason, Direction
from contactpunt.insights.models import MessageInsight, NewTopic, ReasonModelVersion, ReasonSpike, Sentiment
from contactpunt.insights.remarks import handling_agents
from contactpunt.insights.spikes import reason_counts, reasons_of_contacts
from contactpunt.kpis.facts import agent_teams
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.metrics import load_inbound
from contactpunt.people.models import Team

TOP = 3
CENTRE = 0  # the key of the whole centre's figures (team ids start at 1)
MIN_GROWTH = 3
MIN_COUNT = 5
#: The team points of a week that is still going on are kept this long, a past week's longer (a late event may
#: still change them); the page says when they were computed. Reading them means reading two weeks of contacts,
#: their handling agents and their repeats: about half a second on the demo, too much for every visit.
CURRENT_WEEK_KEPT = dt.timedelta(minutes=5)
PAST_WEEK_KEPT = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Point:
    """One improvement point: a reason and its figures (``previous`` only for growing reasons)."""

    reason: str
    count: int
    previous: int | None = None


@dataclass(frozen=True, slots=True)
class TeamPoints:
    """The improvement points of one team (``team`` None: the whole centre)."""

    team: str | None
    growing: list[Point]
    negative: list[Point]
    repeats: list[Point]

    @property
    def is_empty(self) -> bool:
        return not (self.growing or self.negative or self.repeats)


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    first: dt.date
    last: dt.date
    centre: TeamPoints
    teams: list[TeamPoints]
    spikes: list[ReasonSpike]
    topics: list[NewTopic]


def is_growing(count: int, previous: int) -> bool:
    """The rule for a growing reason: at least MIN_COUNT contacts this week and MIN_GROWTH more than the week before."""
    return count >= MIN_COUNT and count - previous >= MIN_GROWTH


def growing_reasons(day: dt.date) -> list[tuple[int, int, int]]:
    """(reason id, contacts this week, contacts the week before) of every growing reason of the whole centre in
    the week that holds local day `day`, fastest growth first (the report's top is the first TOP of these)."""
    first, last = week_of(day)
    start, end = day_bounds(first, last, zone())
    now, before = reason_counts(start, end), reason_counts(start - (end - start), start)
    growth = [(reason, count, before[reason]) for reason, count in now.items() if is_growing(count, before[reason])]
    return sorted(growth, key=lambda row: (-(row[1] - row[2]), row[0]))


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the week that holds ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def weekly_report(day: dt.date) -> WeeklyReport:
    """The report of the week that holds local day ``day``."""
    first, last = week_of(day)
    local = zone()
    start, end = day_bounds(first, last, local)
    previous_start = start - (end - start)
    this_week = reasons_of_contacts(start, end)
    last_week = reasons_of_contacts(previous_start, start)
    agents = handling_agents(
        Contact.objects.filter(direction=Direction.INBOUND, occurred_at__gte=previous_start, occurred_at__lt=end)
        .order_by()
        .values("pk")
    )  # the contacts of both weeks (those of `contact_reasons`), as a subquery
    teams = agent_teams()

    def team_of(contact_id: int) -> int | None:
        agent = agents.get(contact_id)
        return teams.get(agent) if agent is not None else None

    def count(counter: Counter[tuple[int, int]], contact_id: int, reason: int | None) -> None:
        if reason is None:
            return
        counter[CENTRE, reason] += 1
        if (team := team_of(contact_id)) is not None:
            counter[team, reason] += 1

    now: Counter[tuple[int, int]] = Counter()
    before: Counter[tuple[int, int]] = Counter()
    for pk, reason in this_week:
        count(now, pk, reason)
    for pk, reason in last_week:
        count(before, pk, reason)
    reason_of = dict(this_week)
    negative: Counter[tuple[int, int]] = Counter()
    for contact_id in MessageInsight.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, sentiment=Sentiment.NEGATIVE
    ).values_list("contact_id", flat=True):
        count(negative, contact_id, reason_of.get(contact_id))
    repeats: Counter[tuple[int, int]] = Counter()
    for facts in load_inbound(start, end):
        if facts.is_repeat:
            count(repeats, facts.contact_id, reason_of.get(facts.contact_id))

    names = dict(ContactReason.objects.values_list("pk", "name"))

    def points_of(team_id: int, label: str | None) -> TeamPoints:
        growth = [
            Point(names.get(key[1], ""), figure, before[key])
            for key, figure in now.items()
            if key[0] == team_id and is_growing(figure, before[key])
        ]
        growth.sort(key=lambda p: (-(p.count - (p.previous or 0)), p.reason))
        return TeamPoints(
            label,
            growth[:TOP],
            _top(negative, team_id, names),
            _top(repeats, team_id, names),
        )

    team_names = dict(Team.objects.values_list("pk", "name"))
    team_ids = sorted({key[0] for key in now if key[0] != CENTRE}, key=lambda t: team_names.get(t, ""))
    return WeeklyReport(
        first,
        last,
        points_of(CENTRE, None),
        [points_of(team_id, team_names.get(team_id, "")) for team_id in team_ids],
        _spikes(first, last),
        _topics(first, last),
    )


def kept_weekly_report(day: dt.date, *, now: dt.datetime) -> tuple[WeeklyReport, dt.datetime]:
    """The report of the week that holds `day` and when its team points were computed: kept (CURRENT_WEEK_KEPT,
    PAST_WEEK_KEPT) per week and active reason model, with the reason spikes and new topics read fresh (a
    detection run shows at once)."""
    first, last = week_of(day)
    version = ReasonModelVersion.objects.filter(is_active=True).values_list("version", flat=True).first() or ""
    key = f"insights:weekly:{first.isoformat()}:{version}"
    kept = cache.get(key)
    if kept is None:
        report = weekly_report(day)
        kept = (report.centre, report.teams, now)
        current = day_bounds(first, last, zone())[1] > now
        cache.set(key, kept, (CURRENT_WEEK_KEPT if current else PAST_WEEK_KEPT).total_seconds())
    else:
        report = WeeklyReport(first, last, kept[0], kept[1], _spikes(first, last), _topics(first, last))
    return report, kept[2]


def _spikes(first: dt.date, last: dt.date) -> list[ReasonSpike]:
    return list(ReasonSpike.objects.filter(day__gte=first, day__lte=last).select_related("reason"))


def _topics(first: dt.date, last: dt.date) -> list[NewTopic]:
    latest = NewTopic.objects.filter(found_on__gte=first, found_on__lte=last).order_by("-found_on").first()
    return list(NewTopic.objects.filter(found_on=latest.found_on)) if latest else []


def _top(counter: Counter[tuple[int, int]], team_id: int, names: dict[int, str]) -> list[Point]:
    found = [Point(names.get(key[1], ""), count) for key, count in counter.items() if key[0] == team_id]
    found.sort(key=lambda p: (-p.count, p.reason))
    return found[:TOP]
