"""The weekly check-in: an agent's own page (give this week's mood in a few taps, see one's history) and the
team page (a team lead sees their own team one by one with workload beside it; managers, administrators and the
auditor see team aggregates only, hidden below the minimum number of answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.access import Action, leads_team, mood_teams, readable_check_ins, require
from contactpunt.audit import services as audit
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Mood, Role, Team, User
from contactpunt.workforce.workload import Workload, week_workload

HISTORY_WEEKS = 12
TEAM_WEEKS = 6


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require(Action.CHECK_IN)
def mine(request: HttpRequest) -> HttpResponse:
    """This week's check-in (a form of three buttons and an optional note) and the person's own history."""
    user, now = _user(request), timezone.now()
    error = ""
    if request.method == "POST":
        try:
            checkins.record_check_in(
                user=user, mood=request.POST.get("mood", ""), note=request.POST.get("note", ""), now=now
            )
        except ValueError as problem:
            error = _("Choose green, yellow or red.") if str(problem) == "mood" else _("The note is too long.")
        else:
            messages.success(request, _("Thank you, your check-in for this week is saved."))
            return redirect("checkin:mine")
    week = checkins.week_of(now)
    history = list(readable_check_ins(user).filter(user=user).order_by("-week")[:HISTORY_WEEKS])
    current = next((c for c in history if c.week == week), None)
    context = {
        "week": week,
        "current": current,
        "history": history,
        "moods": Mood.choices,
        "error": error,
        "note_limit": checkins.NOTE_LIMIT,
        "may_see_team": leads_team(user, user.team_id),
    }
    return render(request, "checkin/mine.html", context, status=400 if error else 200)


@dataclass
class MemberRow:
    """One team member's weeks, as their team lead sees them."""

    user: User
    cells: list[CheckIn | None]
    is_flagged: bool
    workload: Workload | None = None
    previous_workload: Workload | None = None


@dataclass
class TeamBlock:
    team: Team
    aggregate: list[checkins.MoodCount]
    members: list[MemberRow] = field(default_factory=list)
    missing: list[User] = field(default_factory=list)


@require(Action.VIEW_TEAM_MOODS)
def team(request: HttpRequest) -> HttpResponse:
    """The teams' moods over the last weeks: one by one for the team lead's own team, aggregates otherwise."""
    user, now = _user(request), timezone.now()
    weeks = checkins.recent_weeks(now, TEAM_WEEKS)
    blocks = []
    for each in mood_teams(user).order_by("name"):
        block = TeamBlock(team=each, aggregate=checkins.team_aggregate(each.pk, weeks))
        if leads_team(user, each.pk):
            _fill_members(block, user, weeks, now)
            # Wellbeing notes are personal data: who read them, and when, is kept.
            audit.record(
                actor=user, action="check_ins.viewed", obj=each, changes={"weeks": [w.isoformat() for w in weeks]}
            )
        blocks.append(block)
    context = {"weeks": weeks, "blocks": blocks, "minimum": checkins.minimum_answers()}
    return render(request, "checkin/team.html", context)


def _fill_members(block: TeamBlock, lead: User, weeks: list[dt.date], now: dt.datetime) -> None:
    members = list(
        User.objects.filter(team=block.team, is_active=True, role=Role.AGENT).order_by("first_name", "username")
    )
    rows = list(readable_check_ins(lead).filter(team_id=block.team.pk, week__in=weeks))
    by_key = {(c.user_id, c.week): c for c in rows}
    flagged = checkins.concern_runs(rows, weeks[-2:])
    ids = [m.pk for m in members]
    this_week = week_workload(weeks[-1], ids, now=now)
    last_week = week_workload(weeks[-2], ids, now=now) if len(weeks) > 1 else {}
    for member in members:
        block.members.append(
            MemberRow(
                user=member,
                cells=[by_key.get((member.pk, w)) for w in weeks],
                is_flagged=member.pk in flagged,
                workload=this_week.get(member.pk),
                previous_workload=last_week.get(member.pk),
            )
        )
        if (member.pk, weeks[-1]) not in by_key:
            block.missing.append(member)
