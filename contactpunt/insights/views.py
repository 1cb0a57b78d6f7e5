"""The insights pages: structural problems and the weekly report (managers), remarks (everyone, agents their own)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactpunt import replica
from contactpunt.access import Action, can, check, require
from contactpunt.contacts.models import Message
from contactpunt.insights import analysis
from contactpunt.insights import remarks as remark_reports
from contactpunt.insights.models import ReasonModelVersion, ReasonSpike
from contactpunt.insights.tasks import analyse_history, detect_structural_problems, retrain_reason_model
from contactpunt.insights.weekly import kept_weekly_report
from contactpunt.kpis.views_support import period_from, today
from contactpunt.ops import periodic
from contactpunt.people.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require(Action.VIEW_DASHBOARDS)
@replica.dashboard
def index(request: HttpRequest) -> HttpResponse:
    """Structural problems for managers: reason spikes, new topics, the weekly report per team, the reason model."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = today()
    now = timezone.now()
    report, computed_at = kept_weekly_report(day, now=now)
    example_ids = {pk for topic in report.topics for pk in topic.example_message_ids}
    texts = dict(Message.objects.filter(pk__in=example_ids).values_list("pk", "text"))
    topics = [(topic, [texts[pk] for pk in topic.example_message_ids if pk in texts]) for topic in report.topics]
    return render(
        request,
        "insights/index.html",
        {
            "report": report,
            "computed_at": computed_at,
            "analysing_history": periodic.is_pending(analyse_history, now=now)
            and analysis.inbound_messages().filter(insight__isnull=True).exists(),
            "topics": topics,
            "recent_spikes": ReasonSpike.objects.select_related("reason")[:20],
            "versions": ReasonModelVersion.objects.defer("artefact")[:10],
            "previous_week": (report.first - dt.timedelta(days=7)).isoformat(),
            # No week after the current one: it has not happened yet.
            "next_week": following.isoformat() if (following := report.first + dt.timedelta(days=7)) <= today() else "",
            "can_run": can(request.user, Action.PLAN),
        },
    )


@login_required
def remarks(request: HttpRequest) -> HttpResponse:
    """Positive and negative remarks per agent, team and reason; an agent sees only their own contacts."""
    user = _user(request)
    sees_all = can(user, Action.VIEW_DASHBOARDS)
    period = period_from(request)
    report = remark_reports.remarks(period.start, period.end, agent=None if sees_all else user)
    return render(
        request,
        "insights/remarks.html",
        {"report": report, "period": period, "sees_all": sees_all, "to": period.last.isoformat()},
    )


@require_POST
@login_required
def retrain(request: HttpRequest) -> HttpResponse:
    """Retrain the reason model now (in the background); managers and admins only."""
    check(request.user, Action.PLAN)
    retrain_reason_model.enqueue()
    messages.success(request, _("The contact-reason model is being retrained in the background."))
    return redirect("insights:index")


@require_POST
@login_required
def detect(request: HttpRequest) -> HttpResponse:
    """Look for spikes and new topics now (in the background); managers and admins only."""
    check(request.user, Action.PLAN)
    detect_structural_problems.enqueue()
    messages.success(request, _("Looking for structural problems in the background."))
    return redirect("insights:index")
