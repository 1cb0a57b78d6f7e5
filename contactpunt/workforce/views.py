"""The workforce pages: forecast against actual and the staffing table, the peak calendar, the shift plan,
adherence, and each agent's own schedule.

Team leads, managers and admins see everything and may plan; the auditor sees everything read-only;
managers and admins edit the peak calendar; agents see only their own schedule and adherence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactpunt.access import Action, can, check, require
from contactpunt.contacts.models import Queue
from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.views_support import today
from contactpunt.people.models import User
from contactpunt.workforce import charts, peaks, queries
from contactpunt.workforce.adherence import adherence_report
from contactpunt.workforce.models import PlanStatus, ShiftPlan
from contactpunt.workforce.services import queue_shift_plan


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return today()


def _queue_code(request: HttpRequest) -> str | None:
    code = request.GET.get("queue") or None
    return code if code and Queue.objects.filter(code=code).exists() else None


def _base(request: HttpRequest, section: str) -> dict[str, Any]:
    return {
        "section": section,
        "can_plan": can(request.user, Action.PLAN),
        "can_edit_peaks": can(request.user, Action.EDIT_PEAKS),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Forecast against actual over the plan's days, and the staffing table of one day."""
    if not can(request.user, Action.VIEW_DASHBOARDS):
        return redirect("workforce:me")
    day, code, now = _day(request), _queue_code(request), timezone.now()
    plan = queries.plan_for(day, code)
    context = _base(request, "overview")
    context.update(
        {
            "day": day,
            "queue": code,
            "plan": plan,
            "queues": Queue.objects.filter(is_active=True),
            "rows": queries.staffing_table(day, zone(), queue_code=code, now=now),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "catching_up": rollups.is_catching_up(),  # the actuals come from the rollups
        }
    )
    if plan is not None:
        points, marked = queries.forecast_against_actual(plan, zone(), queue_code=code, now=now)
        context["chart"] = charts.forecast_chart(points, label=_("Forecast against actual"), marked=marked)
        context["marked"] = marked
    return render(request, "workforce/index.html", context)


@require(Action.VIEW_DASHBOARDS)
def peak_calendar(request: HttpRequest) -> HttpResponse:
    """The peak rules and one-off peaks; managers and admins change them."""
    error = ""
    if request.method == "POST":
        check(request.user, Action.EDIT_PEAKS)
        try:
            date_text = request.POST.get("date", "")
            uplift_text = request.POST.get("uplift", "")
            peaks.save_peak(
                name=request.POST.get("name", "").strip()[:60],
                date=dt.date.fromisoformat(date_text) if date_text else None,
                days_before=min(max(int(request.POST.get("days_before") or 0), 0), 60),
                days_after=min(max(int(request.POST.get("days_after") or 0), 0), 60),
                uplift=float(uplift_text) if uplift_text else None,
                is_active=request.POST.get("is_active") == "on",
            )
            return redirect("workforce:peaks")
        except ValueError as problem:
            error = str(problem)
    context = _base(request, "peaks")
    context.update({"rows": peaks.peak_rows(today()), "error": error, "country": peaks.holiday_country()})
    return render(request, "workforce/peaks.html", context, status=400 if error else 200)


@require(Action.VIEW_DASHBOARDS)
def shifts(request: HttpRequest) -> HttpResponse:
    """The week's shifts per agent, the latest plan runs and the form that starts one."""
    anchor = _day(request)
    monday = anchor - dt.timedelta(days=anchor.weekday())
    context = _base(request, "shifts")
    context.update(_week(monday))
    context["plans"] = ShiftPlan.objects.select_related("queue")[:8]
    context["queues"] = Queue.objects.filter(is_active=True)
    context["first_default"] = monday + dt.timedelta(days=7)
    return render(request, "workforce/shifts.html", context)


def _week(monday: dt.date, agent_ids: list[int] | None = None) -> dict[str, Any]:
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    return {"monday": monday, "days": days, "grid": queries.shift_grid(monday, 7, agent_ids=agent_ids),
            "previous_week": monday - dt.timedelta(days=7), "next_week": monday + dt.timedelta(days=7),
            "peak_days": peaks.peak_days(days[0], days[-1])}  # fmt: skip


@require_POST
@require(Action.PLAN)
def run_plan(request: HttpRequest) -> HttpResponse:
    """Queue a plan run as a background task; the page polls its status."""
    try:
        first_day = dt.date.fromisoformat(request.POST.get("first_day", ""))
        days = int(request.POST.get("days", "7"))
        time_limit = float(request.POST.get("time_limit", "30"))
        if not (1 <= days <= 31 and 1 <= time_limit <= 600):
            raise ValueError
    except ValueError:
        return HttpResponse(_("Give a first day, 1 to 31 days and a time limit of 1 to 600 seconds."), status=400)
    code = request.POST.get("queue") or None
    queue = get_object_or_404(Queue, code=code) if code else None
    assert isinstance(request.user, User)
    plan = queue_shift_plan(first_day=first_day, days=days, queue=queue, time_limit_s=time_limit, by=request.user)
    if request.headers.get("HX-Request"):
        return plan_status(request, plan.pk)
    return redirect(f"{reverse('workforce:shifts')}?date={first_day.isoformat()}")


@require(Action.VIEW_DASHBOARDS)
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan run's status (a partial that polls itself while the run is queued or running)."""
    plan = get_object_or_404(ShiftPlan.objects.select_related("queue"), pk=pk)
    finished = plan.status in (PlanStatus.DONE, PlanStatus.FAILED)
    return render(request, "workforce/_plan_status.html", {"plan": plan, "finished": finished})


@require(Action.VIEW_DASHBOARDS)
def adherence(request: HttpRequest) -> HttpResponse:
    """Schedule adherence and occupancy per agent and per team, for a day or the week around a date."""
    anchor = _day(request)
    period = request.GET.get("period", "day")
    first, last = anchor, anchor
    if period == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        last = first + dt.timedelta(days=6)
    start, end = day_bounds(first, last, zone())
    end = min(end, max(start, timezone.now()))
    context = _base(request, "adherence")
    context.update({"day": anchor, "period": period, "first": first, "last": last,
                    "agents": adherence_report(start, end, by="agent"),
                    "teams": adherence_report(start, end, by="team")})  # fmt: skip
    return render(request, "workforce/adherence.html", context)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own shifts this week and their own adherence."""
    user = request.user
    assert isinstance(user, User)
    anchor = _day(request)
    monday = anchor - dt.timedelta(days=anchor.weekday())
    start, end = day_bounds(monday, monday + dt.timedelta(days=6), zone())
    end = min(end, max(start, timezone.now()))
    context = _base(request, "me")
    context.update(_week(monday, agent_ids=[user.pk]))
    context["mine"] = adherence_report(start, end, by="agent", agent_ids=[user.pk])
    return render(request, "workforce/me.html", context)
