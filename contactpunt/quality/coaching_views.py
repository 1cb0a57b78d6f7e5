"""Coaching pages: the agents a team lead or manager coaches, and one agent's notes, goals and quality trend."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.access import Action, coached_agents, require
from contactpunt.people.checkins import recent_weeks
from contactpunt.people.models import User
from contactpunt.quality import coaching
from contactpunt.quality.models import Goal, GoalStatus
from contactpunt.quality.remarks import kind_remarks

TREND_WEEKS = 8


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require(Action.REVIEW_QUALITY)
def agents(request: HttpRequest) -> HttpResponse:
    """The agents the user coaches, with their latest quality score, its direction and their open goals."""
    user, weeks = _user(request), recent_weeks(timezone.now(), TREND_WEEKS)
    rows = []
    for agent in coached_agents(user).select_related("team").order_by("first_name", "username"):
        trend = coaching.score_trend(agent, weeks)
        open_goals = Goal.objects.filter(agent=agent, status=GoalStatus.OPEN).count()
        rows.append((agent, trend[-1] if trend else None, coaching.direction(trend), open_goals))
    return render(request, "quality/coaching.html", {"rows": rows})


@login_required
def agent(request: HttpRequest, agent_id: int) -> HttpResponse:
    """One agent's coaching: notes, goals with their progress, the quality score per week, and what customers said
    kindly of their work (passed on to the agent and their team lead)."""
    user, now = _user(request), timezone.now()
    person = coaching.get_agent_for_user(user, agent_id)
    error = ""
    if request.method == "POST":
        try:
            _write(request, person, user, now)
        except PermissionError:
            raise PermissionDenied("read-only") from None
        except ValueError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Saved."))
            return redirect("quality:coach", person.pk)
    trend = coaching.score_trend(person, recent_weeks(now, TREND_WEEKS))
    latest = trend[-1].mean if trend else None
    context = {
        "agent": person,
        "notes": person.coaching_notes.select_related("author")[:30],
        "goals": [(g, latest) for g in person.coaching_goals.all()],
        "trend": trend,
        "direction": coaching.direction(trend),
        "may_coach": coaching.may_coach(user, person),
        "remarks": kind_remarks(person, now=now),
        "error": error,
    }
    return render(request, "quality/coach.html", context, status=400 if error else 200)


def _write(request: HttpRequest, person: User, user: User, now: dt.datetime) -> None:
    what = request.POST.get("what")
    if what == "note":
        coaching.add_note(agent=person, text=request.POST.get("text", ""), by=user, now=now)
    elif what == "goal":
        target_text, due_text = request.POST.get("target_score", ""), request.POST.get("due", "")
        try:
            target = float(target_text.replace(",", ".")) if target_text else None
        except ValueError:
            raise ValueError("target_score") from None
        try:
            due = dt.date.fromisoformat(due_text) if due_text else None
        except ValueError:
            raise ValueError("due") from None
        coaching.add_goal(
            agent=person, title=request.POST.get("title", ""), target_score=target, due=due, by=user, now=now
        )
    elif what == "close":
        goal = (
            Goal.objects.filter(agent=person, pk=request.POST.get("goal", "0") or 0).first()
            if request.POST.get("goal", "").isdigit()
            else None
        )
        if goal is None:
            raise ValueError("goal")
        coaching.close_goal(goal=goal, status=request.POST.get("status", ""), by=user, now=now)
    else:
        raise ValueError("what")
