"""The PDCA report per team and month: figures beside last month, drivers, follow-ups, the actions agreed last
time and the change since; a page that prints cleanly, and the same report as a PDF to download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contactpunt.access import Action, can, check, require
from contactpunt.feedback import pdca_document, plain
from contactpunt.feedback.models import PdcaAction
from contactpunt.feedback.services.pdca import agree_action
from contactpunt.kpis.survey_metrics import loop_figures, survey_figures
from contactpunt.kpis.survey_snapshots import kept_site_drivers
from contactpunt.kpis.views_support import Period, today
from contactpunt.people.models import Team, User


def _month(request: HttpRequest) -> Period:
    try:
        anchor = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = today()
    first = anchor.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period.of(first, following - dt.timedelta(days=1), "month")


def _team(request: HttpRequest) -> tuple[list[Team], Team]:
    teams = list(Team.objects.order_by("name"))
    if not teams:
        raise Http404("no teams")
    try:
        return teams, next(t for t in teams if str(t.pk) == request.GET.get("team", str(teams[0].pk)))
    except StopIteration:
        raise Http404("no such team") from None


def _report(team: Team, period: Period) -> dict[str, Any]:
    """The report's figures for the team and month: what the page shows and the PDF prints."""
    previous = period.previous()
    following = (period.last + dt.timedelta(days=1)).replace(day=1)
    [now_figures] = survey_figures(period.start, period.end, team_id=team.pk)
    [before] = survey_figures(previous.start, previous.end, team_id=team.pk)
    now = timezone.now()
    drivers = kept_site_drivers(period.start, period.end, None, team_id=team.pk, now=now)
    change = (
        now_figures.nps.value - before.nps.value
        if now_figures.nps.value is not None and before.nps.value is not None
        else None
    )
    return {
        "team": team,
        "period": period,
        "figures": now_figures,
        "before": before,
        "change_points": None if change is None else round(change * 100),
        "trend": now_figures.nps.trend(before.nps),
        "loop": loop_figures(period.start, period.end, now, team_id=team.pk),
        "drivers": drivers,
        "readings": plain.readings(drivers.analysis) if drivers.analysis else [],
        "acted": list(PdcaAction.objects.filter(team=team, month=period.first)),
        "agreed": list(PdcaAction.objects.filter(team=team, month=following)),
        "previous_date": previous.first.isoformat(),
        "next_date": following.isoformat(),
    }


@require_http_methods(["GET", "POST"])
@require(Action.VIEW_FEEDBACK)
def pdca(request: HttpRequest) -> HttpResponse:
    """The report of ?team= for the month of ?date=; a POST agrees an action for the next month."""
    teams, team = _team(request)
    period = _month(request)
    error = ""
    if request.method == "POST":
        check(request.user, Action.FOLLOW_UP)
        user = request.user
        assert isinstance(user, User)
        following = (period.last + dt.timedelta(days=1)).replace(day=1)
        try:
            agree_action(team=team, month=following, text=request.POST.get("text", ""), by=user)
        except ValueError:
            error = _("Write the action in at most 500 characters.")
        else:
            return redirect(f"{request.path}?team={team.pk}&date={period.first.isoformat()}")
    context = {
        **_report(team, period),
        "teams": teams,
        "may_agree": can(request.user, Action.FOLLOW_UP),
        "error": error,
    }
    return render(request, "feedback/pdca.html", context, status=400 if error else 200)


@require_GET
@require(Action.VIEW_FEEDBACK)
def pdca_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a PDF to download (made here, offline: no browser, no network)."""
    _teams, team = _team(request)
    period = _month(request)
    response = HttpResponse(pdca_document.render(_report(team, period)), content_type="application/pdf")
    name = f"pdca-{slugify(team.name) or team.pk}-{period.first:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
