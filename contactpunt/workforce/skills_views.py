"""The skills matrix page: every agent's level per skill (channels, languages, products, contact reasons), kept
by team leads and up, with the flexible pool's people (and their department) marked, and the bus-factor warnings of
the week's shift plan."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.access import Action, can, check, require
from contactpunt.people.checkins import week_of
from contactpunt.people.models import Role, Skill, SkillKind, User
from contactpunt.people.skills import LEVELS, levels, set_level
from contactpunt.workforce import bus_factor
from contactpunt.workforce.models import PoolMember


@require(Action.VIEW_DASHBOARDS)
def matrix(request: HttpRequest) -> HttpResponse:
    """The matrix of agents by skills with their levels, and where the week's plan has fewer than two qualified."""
    if request.method == "POST":
        check(request.user, Action.PLAN)
        person = get_object_or_404(User, pk=request.POST.get("user", "0") or 0, is_active=True)
        skill = get_object_or_404(Skill, pk=request.POST.get("skill", "0") or 0)
        try:
            set_level(user=person, skill=skill, level=int(request.POST.get("level", "")))
        except ValueError:
            messages.error(request, _("Choose a level from 0 to 3."))
        return redirect(request.get_full_path())
    try:
        week = week_of(dt.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        week = week_of(timezone.now())
    skills = list(Skill.objects.order_by("kind", "name"))
    people = list(User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.TEAM_LEAD])
                  .select_related("team__department")
                  .order_by("team__name", "first_name", "username"))  # fmt: skip
    known = levels([p.pk for p in people], [s.pk for s in skills])
    rows = [(p, [(s, known.get((p.pk, s.pk), 0)) for s in skills]) for p in people]
    context = {
        "section": "skills",
        "skills": skills,
        "kinds": dict(SkillKind.choices),
        "rows": rows,
        # The flexible pool: people from other departments with the skills to help at peaks.
        "pool": set(PoolMember.objects.filter(is_active=True).values_list("user_id", flat=True)),
        "levels": LEVELS,
        "week": week,
        "warnings": bus_factor.warnings(week, 7),
        "previous": week - dt.timedelta(weeks=1),
        "next": week + dt.timedelta(weeks=1),
        "can_plan": can(request.user, Action.PLAN),
    }
    return render(request, "workforce/skills.html", context)
