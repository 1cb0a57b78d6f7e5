"""The loyalty page under /journey/: returning customers by cohort (heat map and chart), segments with their rules
and month-to-month movement, and service beside loyalty. Team leads and up and the read-only viewer see it;
managers change the segment rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contactpunt import replica
from contactpunt.access import Action, can, get_customer_for_user, require
from contactpunt.customers.models import ConsentSource
from contactpunt.customers.services import ConsentRejected, record_consent
from contactpunt.journey import cohorts, segments, snapshot
from contactpunt.journey.forms import ConsentForm, SegmentRuleForm
from contactpunt.journey.models import MomentStatus, SegmentRule
from contactpunt.journey.moments import close_task
from contactpunt.journey.queries import get_moment_task_for_user
from contactpunt.journey.services import change_segment_rule
from contactpunt.kpis import charts
from contactpunt.people.models import User

GROUP_LABELS = {
    "no_contact": gettext_lazy("No contact after the first order"),
    "complaint": gettext_lazy("First contact was a complaint"),
    "no_complaint": gettext_lazy("First contact was no complaint"),
    "solved_first": gettext_lazy("Solved in one contact"),
    "not_solved_first": gettext_lazy("Not solved in one contact"),
}


def _heat(share: float) -> int:
    return min(10, round(share * 10))


@require(Action.VIEW_JOURNEYS)
@replica.dashboard
def index(request: HttpRequest) -> HttpResponse:
    """Cohorts by month or quarter, segments and their movement, returning by the outcome of the first contact."""
    by = request.GET.get("by", "month")
    by = by if by in cohorts.PERIODS else "month"
    figures = snapshot.read()  # computed in the background: one row, however long the history
    rows = figures.cohorts.get(by, [])
    table = [
        {
            "cohort": c,
            "bracket": [(share, _heat(share)) for share in c.bracket],
            "later": [(share, _heat(share)) for share in c.on_or_after],
        }
        for c in rows
    ]
    chart = charts.bar_chart(
        [(c.label, c.returning) for c in rows], label=_("Returning within two years"), maximum=1.0, percent=True
    )
    move = figures.movement
    profiles = figures.profiles
    rules = list(SegmentRule.objects.all())
    names = {rule.key: rule.name for rule in rules} | {segments.OTHER: _("Other"), "": _("new customer")}
    groups = [
        {"label": GROUP_LABELS[g.key], "group": g, "low": g.interval[0], "high": g.interval[1]} for g in figures.groups
    ]
    segment_keys = [rule.key for rule in rules] + [segments.OTHER]
    matrix = []
    if move is not None:
        for source in ["", *segment_keys]:
            cells = [move.counts.get((source, target), 0) for target in segment_keys]
            if any(cells):
                matrix.append({"name": names.get(source, source), "cells": cells})
    return render(
        request,
        "journey/index.html",
        {
            "by": by,
            "table": table,
            "periods": range(1, 13),
            "chart": chart,
            "rules": [(rule, SegmentRuleForm(instance=rule, prefix=f"r{rule.pk}")) for rule in rules],
            "can_change_rules": can(request.user, Action.MANAGE_SEGMENTS),
            "move": move,
            "segment_names": [names[k] for k in segment_keys],
            "sizes": [move.sizes.get(k, 0) for k in segment_keys] if move else [],
            "matrix": matrix,
            "groups": groups,
            "profiles": [(names.get(p.segment, p.segment), p) for p in profiles],
            "computed_at": figures.computed_at,
            "current": figures.current,
        },
    )


@require_POST
@require(Action.MANAGE_SEGMENTS)
def edit_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Change one segment rule's score ranges (managers and administrators)."""
    rule = get_object_or_404(SegmentRule, pk=rule_id)
    form = SegmentRuleForm(request.POST, instance=SegmentRule.objects.get(pk=rule.pk), prefix=f"r{rule.pk}")
    if form.is_valid():
        change_segment_rule(rule=rule, changes=form.cleaned_data, by=request.user)
        messages.success(request, _("The segment rule was changed."))
    else:
        messages.error(request, _("The segment rule was not changed: each range runs from 1 to 5, low to high."))
    return redirect("journey:index")


@require_POST
@require(Action.WRITE)
def close_moment(request: HttpRequest, task_id: int) -> HttpResponse:
    """Record the outcome of a moment's task (done or skipped, with a note) and go back where the agent was."""
    user = request.user
    assert isinstance(user, User)
    task = get_moment_task_for_user(user, task_id)
    status = request.POST.get("status", "")
    if status not in (MomentStatus.DONE, MomentStatus.SKIPPED):
        messages.error(request, _("Choose done or skipped."))
    else:
        close_task(task=task, status=status, outcome=request.POST.get("outcome", "").strip(), by=user)
        messages.success(request, _("The outcome was recorded."))
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    """Back where the agent was (`next`, on this site only), else the inbox."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("workspace:inbox")
    return redirect(back)


@require_POST
@require(Action.WRITE)
def record_customer_consent(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Record what the customer told the agent they agree to (or not), then go back where the agent was."""
    user = request.user
    assert isinstance(user, User)
    customer = get_customer_for_user(user, customer_id, write=True)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The consent was not recorded: choose a purpose, a channel and yes or no."))
        return _back(request)
    data = form.cleaned_data
    try:
        record_consent(
            customer=customer,
            purpose=data["purpose"],
            channel=data["channel"] or "",
            is_granted=data["granted"] == "yes",
            source=ConsentSource.AGENT,
            by=user,
            at=timezone.now(),
            note=data["note"],
        )
    except ConsentRejected as error:
        if error.field == "channel":
            messages.error(request, _("The consent was not recorded: sharing holds for every channel."))
        else:
            messages.error(request, _("The consent was not recorded: the customer was erased."))
    else:
        messages.success(request, _("The consent was recorded."))
    return _back(request)
