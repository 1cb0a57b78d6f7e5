"""Coaching: notes and goals per agent, and the trend of their quality score per week.

Who may see an agent's coaching: the agent, the team lead of their team, managers and administrators (not the
auditor: it is personnel data). Who may write it: the team lead of the agent's team, managers, administrators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count
from django.http import Http404

from contactpunt.access import Action, can, coached_agents, leads_team
from contactpunt.audit import services as audit
from contactpunt.people.models import Role, User
from contactpunt.quality.models import CoachingNote, Goal, GoalStatus, Review

NOTE_LIMIT = 2000


def may_coach(user: User, agent: User) -> bool:
    """Whether `user` may write notes and goals for `agent`."""
    if not can(user, Action.REVIEW_QUALITY) or user.pk == agent.pk:
        return False
    return user.role != Role.TEAM_LEAD or leads_team(user, agent.team_id)


def get_agent_for_user(user: User, agent_id: object) -> User:
    """The agent `agent_id` when `user` may see their coaching; Http404 otherwise."""
    try:
        pk = int(str(agent_id))
    except ValueError:
        raise Http404("no such agent") from None
    agent = coached_agents(user).filter(pk=pk).first() if 0 < pk <= 2**63 - 1 else None
    if agent is None:
        raise Http404("no such agent")
    return agent


def add_note(*, agent: User, text: str, by: User, now: dt.datetime) -> CoachingNote:
    """Save a coaching note. Raise PermissionError unless `by` may coach the agent, ValueError("text") for an
    empty note or one over 2,000 characters."""
    if not may_coach(by, agent):
        raise PermissionError("coach")
    text = text.strip()
    if not text or len(text) > NOTE_LIMIT:
        raise ValueError("text")
    note = CoachingNote.objects.create(agent=agent, author=by, text=text, created_at=now)
    audit.record(actor=by, action="coaching_note.added", obj=note, changes={"agent": agent.pk})
    return note


def add_goal(
    *, agent: User, title: str, target_score: float | None, due: dt.date | None, by: User, now: dt.datetime
) -> Goal:
    """Set a goal. Raise PermissionError unless `by` may coach the agent, ValueError naming the field."""
    if not may_coach(by, agent):
        raise PermissionError("coach")
    title = title.strip()
    if not title or len(title) > 200:
        raise ValueError("title")
    if target_score is not None and not 0 <= target_score <= 100:
        raise ValueError("target_score")
    return Goal.objects.create(agent=agent, author=by, title=title, target_score=target_score, due=due, created_at=now)


def close_goal(*, goal: Goal, status: str, by: User, now: dt.datetime) -> Goal:
    """Mark a goal achieved or dropped."""
    if not may_coach(by, goal.agent):
        raise PermissionError("coach")
    if status not in (GoalStatus.ACHIEVED, GoalStatus.DROPPED):
        raise ValueError("status")
    with transaction.atomic():
        goal.status, goal.closed_at = status, now
        goal.save(update_fields=["status", "closed_at"])
    return goal


@dataclass(frozen=True)
class WeekScore:
    week: dt.date
    mean: float
    reviews: int


def score_trend(agent: User, weeks: list[dt.date]) -> list[WeekScore]:
    """The agent's mean quality score per sample week among `weeks` (weeks without reviews are left out)."""
    rows = (
        Review.objects.filter(agent=agent, week__in=weeks, calibration__isnull=True, score__isnull=False)
        .values("week")
        .annotate(mean=Avg("score"), n=Count("pk"))
        .order_by("week")
    )
    return [WeekScore(week=r["week"], mean=r["mean"], reviews=r["n"]) for r in rows if r["week"] is not None]


def direction(trend: list[WeekScore]) -> int:
    """+1 when the latest week is above the mean of the weeks before, -1 below, 0 level or too few weeks."""
    if len(trend) < 2:
        return 0
    before = sum(t.mean for t in trend[:-1]) / (len(trend) - 1)
    latest = trend[-1].mean
    return 0 if abs(latest - before) < 1 else (1 if latest > before else -1)
