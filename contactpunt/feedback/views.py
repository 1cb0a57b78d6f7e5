"""The feedback pages for team leads and managers: survey figures with intervals and drivers, the follow-ups of
detractors; and an agent's own compliments."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contactpunt import replica
from contactpunt.access import Action, can, require
from contactpunt.feedback import plain
from contactpunt.feedback.models import Answer, Gratitude, Outcome, kind_words
from contactpunt.feedback.queries import (
    get_answer_for_user,
    get_follow_up_for_user,
    open_and_overdue,
    visible_answers,
    visible_follow_ups,
)
from contactpunt.feedback.services.follow_ups import FollowUpClosed, close_follow_up
from contactpunt.feedback.services.promoters import AlreadyReplied, NotHappy, awaiting_reply, reply_to_promoter
from contactpunt.kpis.survey_drivers import SiteDrivers
from contactpunt.kpis.survey_metrics import loop_figures, response_rates, survey_figures, wave_comparison
from contactpunt.kpis.survey_snapshots import (
    GAP_HISTORY,
    kept_fcr_gap,
    kept_site_drivers,
    ready_fcr_gap,
    ready_site_drivers,
)
from contactpunt.kpis.views_support import period_from
from contactpunt.people.models import Site, User

GROUPS = ("site", "team", "channel", "reason", "queue", "agent")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require(Action.VIEW_FEEDBACK)
@replica.dashboard
def dashboard(request: HttpRequest) -> HttpResponse:
    """NPS, CSAT and CES with n and intervals (total and per grouping), the trend, the loop and the drivers."""
    period = period_from(request, default="month")
    previous = period.previous()
    by = request.GET.get("by", "site")
    by = by if by in GROUPS else "site"
    [total] = survey_figures(period.start, period.end)
    [before] = survey_figures(previous.start, previous.end)
    sites = list(Site.objects.order_by("name"))
    site = _chosen_site(request, sites)
    now = timezone.now()
    # The driver analysis and the FCR view are seconds of work: shown as kept (kpis.survey_snapshots); one not kept
    # yet is asked for apart (`analysis`), so the page does not wait for it.
    drivers = ready_site_drivers(period.start, period.end, site.pk if site else None, now=now)
    history_start = period.start - GAP_HISTORY
    return render(
        request,
        "feedback/dashboard.html",
        {
            "period": period,
            "total": total,
            "trend": total.nps.trend(before.nps),
            "before": before,
            "rows": survey_figures(period.start, period.end, by),
            "by": by,
            "groups": GROUPS,
            "months": survey_figures(history_start, period.end, "month"),
            "loop": loop_figures(period.start, period.end, now),
            "responses": response_rates(period.start, period.end),
            "waves": wave_comparison(period.start, period.end, "reason"),
            "drivers": drivers,
            "readings": _readings(drivers, site),
            "sites": sites,
            "site": site,
            "gap": ready_fcr_gap(history_start, period.end, now=now),
            "previous_date": previous.first.isoformat(),
            "next_date": (period.last + dt.timedelta(days=1)).isoformat(),
        },
    )


@require(Action.VIEW_FEEDBACK)
@replica.dashboard
def analysis(request: HttpRequest, part: str) -> HttpResponse:
    """One slow part of the survey figures (the driver analysis or the FCR view) for the dashboard's period and
    site, computed and kept when it was not: the dashboard asks for it when it had none ready."""
    if part not in ("drivers", "gap"):
        raise Http404(part)
    period = period_from(request, default="month")
    now = timezone.now()
    if part == "gap":
        gap = kept_fcr_gap(period.start - GAP_HISTORY, period.end, now=now)
        return render(request, "feedback/_gap.html", {"gap": gap})
    site = _chosen_site(request, list(Site.objects.order_by("name")))
    drivers = kept_site_drivers(period.start, period.end, site.pk if site else None, now=now)
    return render(request, "feedback/_drivers.html", {"drivers": drivers, "readings": _readings(drivers, site)})


def _chosen_site(request: HttpRequest, sites: list[Site]) -> Site | None:
    try:
        site_id = int(request.GET.get("site", ""))
    except ValueError:
        return None
    return next((s for s in sites if s.pk == site_id), None)


def _readings(drivers: SiteDrivers | None, site: Site | None) -> list[str]:
    if drivers is None or drivers.analysis is None:
        return []
    return plain.readings(drivers.analysis, site.name if site else "")


@require(Action.VIEW_FEEDBACK)
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups (overdue first), then the recently closed ones; ?mine=1 shows only the user's own."""
    user = _user(request)
    rows = visible_follow_ups(user)
    if request.GET.get("mine"):
        rows = rows.filter(assignee=user)
    now = timezone.now()
    still_open = rows.filter(closed_at__isnull=True)
    open_count, overdue_count = open_and_overdue(rows, now=now)
    happy = awaiting_reply(visible_answers(user)).select_related(
        "invitation", "invitation__agent", "invitation__team", "invitation__customer"
    )
    return render(
        request,
        "feedback/follow_ups.html",
        {
            "open": list(still_open.order_by("due_at")[:200]),
            "open_count": open_count,
            "overdue_count": overdue_count,
            "closed": list(rows.filter(closed_at__isnull=False).order_by("-closed_at")[:50]),
            "now": now,
            "mine": bool(request.GET.get("mine")),
            "happy": list(happy.order_by("-answered_at")[:50]),
            "may_reply": can(user, Action.FOLLOW_UP),
            "gratitude": Gratitude.choices,
        },
    )


@require_http_methods(["POST"])
@require(Action.FOLLOW_UP)
def promoter_reply(request: HttpRequest, answer_id: str) -> HttpResponse:
    """A team lead thanks a happy customer, or asks them to become an ambassador (once per answer)."""
    user = _user(request)
    answer = get_answer_for_user(user, answer_id)
    kind = request.POST.get("kind", "")
    if kind not in Gratitude.values:
        messages.error(request, _("Choose whether to thank the customer or ask them to become an ambassador."))
        return redirect("feedback:follow_ups")
    try:
        reply = reply_to_promoter(answer=answer, by=user, kind=kind, now=timezone.now())
    except NotHappy:
        messages.error(request, _("Only promoters and customers who gave a 5 are thanked this way."))
    except AlreadyReplied:
        messages.info(request, _("This customer has already been thanked."))
    else:
        if reply.undeliverable:
            messages.warning(
                request,
                _("Recorded, but no channel could carry the message: %(why)s.")
                % {"why": reply.get_undeliverable_display()},
            )
        else:
            messages.success(request, _("The message to the customer is on its way."))
    return redirect("feedback:follow_ups")


@require_http_methods(["GET", "POST"])
@login_required
def follow_up(request: HttpRequest, follow_up_id: str) -> HttpResponse:
    """One follow-up: the answer and its case; a team lead records the outcome (POST)."""
    user = _user(request)
    item = get_follow_up_for_user(user, follow_up_id, write=request.method == "POST")
    error = ""
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in Outcome.values:
            error = _("Choose how the follow-up ended.")
        else:
            try:
                close_follow_up(
                    follow_up=item, by=user, outcome=outcome, note=request.POST.get("note", ""), now=timezone.now()
                )
            except FollowUpClosed:
                messages.info(request, _("Someone else already recorded the outcome."))
            else:
                messages.success(request, _("The outcome has been recorded."))
            return redirect("feedback:follow_ups")
    return render(
        request,
        "feedback/follow_up.html",
        {"item": item, "outcomes": Outcome.choices, "error": error, "may_close": can(user, Action.FOLLOW_UP)},
        status=400 if error else 200,
    )


@login_required
def compliments(request: HttpRequest) -> HttpResponse:
    """The positive free text of the customers an agent helped (promoters' and CSAT 5's comments)."""
    user = _user(request)
    answers = (
        kind_words(Answer.objects.filter(invitation__agent=user))
        .select_related("invitation", "invitation__reason")
        .order_by("-answered_at")[:50]
    )
    return render(request, "feedback/compliments.html", {"answers": answers})
