"""The short team meeting's pages: a week's meetings per team (team leads and up plan them into the shift plan)
and one meeting's agenda (last week's figures, what customers said, the moods, open actions) with its actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.access import Action, can, check, mood_teams, require
from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.ops import periodic
from contactpunt.people.checkins import team_aggregate, week_of
from contactpunt.people.models import Role, Team, User
from contactpunt.quality import suggestions
from contactpunt.workforce import meetings
from contactpunt.workforce.meeting_voice import customer_voice
from contactpunt.workforce.models import MeetingAction, TeamMeeting
from contactpunt.workforce.tasks import plan_demo_shifts


def _teams(user: object) -> list[Team]:
    return list(mood_teams(user).order_by("name"))


def _week(request: HttpRequest) -> dt.date:
    try:
        return week_of(dt.date.fromisoformat(request.GET.get("week", "") or request.POST.get("week", "")))
    except ValueError:
        return week_of(timezone.now())


@require(Action.VIEW_DASHBOARDS)
def meeting_week(request: HttpRequest) -> HttpResponse:
    """The team meetings of a week; team leads and up plan a team's week."""
    teams, week = _teams(request.user), _week(request)
    if request.method == "POST":
        check(request.user, Action.PLAN)
        team = get_object_or_404(Team, pk=request.POST.get("team", "0") or 0, pk__in=[t.pk for t in teams])
        if _plan_in_the_making(week):
            wait = _("The shift plan of this week is still being made: plan the meetings once it is done.")
            messages.warning(request, wait)
            return redirect(f"{request.path}?week={week.isoformat()}")
        try:
            result = meetings.plan_team_meetings(team=team, week=week, now=timezone.now())
        except ValueError:
            messages.error(request, _("The meetings of this week are already planned."))
        else:
            text = _("%(count)s meetings planned.") % {"count": len(result.meetings)}
            if result.unplaced:
                names = ", ".join(u.display_name for u in result.unplaced)
                text += " " + _("No slot without a staffing gap for: %(names)s") % {"names": names}
            messages.success(request, text)
        return redirect(f"{request.path}?week={week.isoformat()}")
    rows = TeamMeeting.objects.filter(team__in=teams, week=week).select_related("team").prefetch_related("attendees")
    context: dict[str, Any] = {"section": "meetings", "week": week, "teams": teams, "meetings": rows,
                               "previous": week - dt.timedelta(weeks=1), "next": week + dt.timedelta(weeks=1),
                               "can_plan": can(request.user, Action.PLAN),
                               "plan_in_the_making": _plan_in_the_making(week)}  # fmt: skip
    return render(request, "workforce/meetings.html", context)


def _plan_in_the_making(week: dt.date) -> bool:
    """Whether the week's shifts are still being planned: a shift plan of its days queued or running, or (for the
    coming days) the demo's week plan waiting on the long lane, which plans the week's meetings itself when done."""
    if meetings.plan_in_the_making(week) is not None:
        return True
    now = timezone.now()
    today = timezone.localdate(now)
    coming = week <= today + dt.timedelta(days=6) and today <= week + dt.timedelta(days=6)
    return coming and periodic.is_pending(plan_demo_shifts, now=now)


def _figures(team: Team, week: dt.date) -> dict[str, Any]:
    """Last week's figures of the team: service level, FCR, AHT and handled contacts."""
    start, end = day_bounds(week, week + dt.timedelta(days=6), zone())
    rows = {row["group"]: row for row in rollups.report(start, end, by="team", zone=zone())}
    return rows.get(team.name, {})


@require(Action.VIEW_DASHBOARDS)
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One meeting: its agenda and its actions (team leads and up add actions and mark them done)."""
    teams = _teams(request.user)
    item = get_object_or_404(TeamMeeting.objects.select_related("team"), pk=meeting_id, team__in=teams)
    now = timezone.now()
    members = list(User.objects.filter(team=item.team, is_active=True).exclude(role=Role.VIEWER).order_by("username"))
    error = ""
    if request.method == "POST":
        check(request.user, Action.PLAN)
        try:
            _write(request, item, members, now)
        except ValueError as problem:
            error = str(problem)
        else:
            return redirect("workforce:meeting", item.pk)
    last_week = item.week - dt.timedelta(weeks=1)
    context = {
        "section": "meetings",
        "meeting": item,
        "attendees": item.attendees.order_by("username"),
        "figures": _figures(item.team, last_week),
        "last_week": last_week,
        "moods": team_aggregate(item.team.pk, [last_week, item.week]),
        "reasons": meetings.top_reasons(item.team, last_week),
        "voice": customer_voice(item.team, last_week),
        "follow_up": meetings.open_actions(item.team, before=item.start),
        "suggestions": [(s, s.is_waiting_too_long(item.start)) for s in suggestions.to_discuss(item.team, item.end)],
        "actions": item.actions.select_related("owner"),
        "members": members,
        "error": error,
        "can_plan": can(request.user, Action.PLAN),
        "today": timezone.localdate(now),
    }
    return render(request, "workforce/meeting.html", context, status=400 if error else 200)


def _write(request: HttpRequest, item: TeamMeeting, members: list[User], now: dt.datetime) -> None:
    if request.POST.get("done", "").isdigit():
        action = get_object_or_404(MeetingAction, pk=int(request.POST["done"]), meeting__team=item.team)
        meetings.finish_action(action=action, now=now)
        return
    owner = next((m for m in members if str(m.pk) == request.POST.get("owner")), None)
    if owner is None:
        raise ValueError("owner")
    try:
        due = dt.date.fromisoformat(request.POST.get("due", ""))
    except ValueError:
        raise ValueError("due") from None
    meetings.add_action(meeting=item, text=request.POST.get("text", ""), owner=owner, due=due, now=now)
