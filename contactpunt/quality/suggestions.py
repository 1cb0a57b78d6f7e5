"""Improvement suggestions, tried small first: propose, discuss, try with one team for a period while a metric is
watched, then adopt or drop with a reason. The trial's metric is shown before and during the trial for the trial
team against the other teams (the same definitions as the KPI pages, from `kpis.metrics.report`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from contactpunt.access import Action, can
from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.people.models import Team, User
from contactpunt.quality.models import Suggestion, SuggestionStatus, TrialMetric

#: Which status may follow which.
NEXT = {
    SuggestionStatus.NEW: {SuggestionStatus.DISCUSSED, SuggestionStatus.REJECTED, SuggestionStatus.TRIAL},
    SuggestionStatus.DISCUSSED: {SuggestionStatus.REJECTED, SuggestionStatus.TRIAL},
    SuggestionStatus.TRIAL: {SuggestionStatus.ADOPTED, SuggestionStatus.DROPPED},
}


def propose(*, author: User, title: str, text: str = "", now: dt.datetime) -> Suggestion:
    """Save a new suggestion of `author` (for their team). Raise ValueError naming the field."""
    if not can(author, Action.WRITE):
        raise PermissionError("read-only")
    title, text = title.strip(), text.strip()
    if not title or len(title) > 200:
        raise ValueError("title")
    if len(text) > 4000:
        raise ValueError("text")
    return Suggestion.objects.create(author=author, team_id=author.team_id, title=title, text=text, created_at=now)


def decide(
    *,
    suggestion: Suggestion,
    status: str,
    by: User,
    now: dt.datetime,
    reason: str = "",
    trial_team: Team | None = None,
    trial_start: dt.date | None = None,
    trial_end: dt.date | None = None,
    metric: str = "",
) -> Suggestion:
    """Move the suggestion on (team lead and up). A trial needs a team, a period and a metric; not taking it up,
    adopting and dropping need a reason. Raise PermissionError or ValueError naming the field."""
    if not can(by, Action.REVIEW_QUALITY):
        raise PermissionError("decide")
    if status not in NEXT.get(SuggestionStatus(suggestion.status), set()):
        raise ValueError("status")
    reason = reason.strip()
    if status in (SuggestionStatus.REJECTED, SuggestionStatus.ADOPTED, SuggestionStatus.DROPPED) and not reason:
        raise ValueError("reason")
    fields = ["status", "status_changed_at", "reason"]
    if status == SuggestionStatus.TRIAL:
        if trial_team is None:
            raise ValueError("trial_team")
        if trial_start is None or trial_end is None or trial_end < trial_start:
            raise ValueError("trial_end")
        if metric not in TrialMetric.values:
            raise ValueError("metric")
        suggestion.trial_team, suggestion.trial_start, suggestion.trial_end = trial_team, trial_start, trial_end
        suggestion.metric = metric
        fields += ["trial_team", "trial_start", "trial_end", "metric"]
    with transaction.atomic():
        suggestion.status, suggestion.status_changed_at = status, now
        suggestion.reason = reason or suggestion.reason
        suggestion.save(update_fields=fields)
    return suggestion


@dataclass(frozen=True)
class Comparison:
    """The trial's metric before and during the trial: the trial team, and the other teams together."""

    metric: str
    team_before: float | None
    team_during: float | None
    others_before: float | None
    others_during: float | None


def _by_team(first: dt.date, last: dt.date, metric: str, now: dt.datetime) -> dict[str, float | None]:
    start, end = day_bounds(first, last, zone())
    return {row["group"]: row.get(metric) for row in rollups.report(start, end, by="team", zone=zone(), now=now)}


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def compare(suggestion: Suggestion, now: dt.datetime) -> Comparison | None:
    """The metric before (as many days just before the trial) and during the trial (up to today), for the trial
    team and the mean of the other teams; None when the suggestion has no trial."""
    if suggestion.trial_team is None or suggestion.trial_start is None or suggestion.trial_end is None:
        return None
    length = (suggestion.trial_end - suggestion.trial_start).days + 1
    before = _by_team(suggestion.trial_start - dt.timedelta(days=length), suggestion.trial_start - dt.timedelta(days=1),
                      suggestion.metric, now)  # fmt: skip
    last = min(suggestion.trial_end, now.astimezone(zone()).date())
    during = _by_team(suggestion.trial_start, last, suggestion.metric, now) if last >= suggestion.trial_start else {}
    name = suggestion.trial_team.name
    return Comparison(
        metric=suggestion.metric,
        team_before=before.get(name),
        team_during=during.get(name),
        others_before=_mean([v for k, v in before.items() if k != name]),
        others_during=_mean([v for k, v in during.items() if k != name]),
    )


def to_discuss(team: Team, before: dt.datetime) -> list[Suggestion]:
    """The team's suggestions made before `before` that still have no status (new), oldest first: an item on the
    team meeting's agenda, so that each gets its status within 14 days."""
    return list(
        Suggestion.objects.filter(team=team, status=SuggestionStatus.NEW, created_at__lt=before)
        .select_related("author")
        .order_by("created_at", "pk")
    )
