"""Shift plans for the demo organisation: templates, contracts, the flexible pool, and plans from its history.

`ops.demo` calls `plan_today` while it prepares the demo, so today is forecast and staffed from the first minute
(the same-slot mean of the last four weeks, seconds of work), and the long lane's `plan_demo` replaces it with the
chosen forecast: a forecast against actual (last week), adherence (the agents' states against the shifts they
worked) and a plan for today and the week ahead, weekends included.

The live simulation works the plan of today and the days after (simulation/follow_plan.py), so today's adherence
measures the simulated agents against the product's own plan; the hours of today before a plan was made keep the
schedule that held then (`worked_until`, and `plan_demo` with `now`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contactpunt.contacts.models import AgentState, Queue
from contactpunt.kpis import metrics
from contactpunt.kpis.facts import CONTACT, load_units
from contactpunt.kpis.intervals import day_bounds, local_midnight
from contactpunt.people.models import Role, Team, User
from contactpunt.workforce import meetings
from contactpunt.workforce.forecasting import Forecaster
from contactpunt.workforce.forecasting.models import SlotAverage
from contactpunt.workforce.models import (
    Activity,
    Contract,
    PlannedActivity,
    PlannedShift,
    PoolMember,
    ShiftPlan,
    ShiftTemplate,
    TeamMeeting,
)
from contactpunt.workforce.peaks import peak_calendar
from contactpunt.workforce.requirement import forecast_needs, needs_from_json
from contactpunt.workforce.shifts.planning import plan_shifts, schedule_shift, zone

# (name, start hour, hours, break after hours or None): days of eight hours with half an hour's break,
# and half days for the evening and the peaks.
TEMPLATES = (
    *((f"Dag {h:02d}:00-{h + 8:02d}:00", h, 8, 4) for h in range(7, 16)),
    *((f"Halve dag {h:02d}:00-{h + 4:02d}:00", h, 4, None) for h in (8, 12, 16, 18)),
)
POOL_TEAM = "Flexpool"


@dataclass(frozen=True)
class DemoPlans:
    plans: list[ShiftPlan]
    pool_members: int
    templates: int
    worked_shifts: int = 0


def ensure_templates() -> int:
    """Create the demo's shift templates when there are none; return how many exist."""
    if not ShiftTemplate.objects.exists():
        ShiftTemplate.objects.bulk_create(
            ShiftTemplate(
                name=name,
                start_time=dt.time(hour),
                length_minutes=hours * 60,
                breaks=[[pause * 60, 30]] if pause else [],
            )
            for name, hour, hours, pause in TEMPLATES
        )
    return ShiftTemplate.objects.count()


@transaction.atomic
def ensure_people(*, pool_team: str = POOL_TEAM) -> int:
    """Contracts of 16-40 hours for core agents; the members of `pool_team` join the flexible pool
    (weekdays and Saturday 09:00-21:00, up to 16 hours a week, at their cost rate plus 25%)."""
    team = Team.objects.select_related("department").filter(name=pool_team).first()
    pool_ids: set[int] = set()
    if team is not None:
        rate = team.effective_cost_per_hour() * Decimal("1.25")
        for user in User.objects.filter(team=team, role=Role.AGENT):
            PoolMember.objects.get_or_create(
                user=user,
                defaults={"weekdays": "012345", "available_from": dt.time(9), "available_until": dt.time(21),
                          "max_hours_week": Decimal(16), "cost_per_hour": rate},
            )  # fmt: skip
            pool_ids.add(user.pk)
    for user in User.objects.filter(role=Role.AGENT).exclude(pk__in=pool_ids):
        Contract.objects.get_or_create(
            agent=user, defaults={"min_hours_week": Decimal(16), "max_hours_week": Decimal(40)}
        )
    return len(pool_ids)


def _rounded(moment: dt.datetime) -> dt.datetime:
    """The nearest quarter hour."""
    seconds = moment.timestamp()
    return dt.datetime.fromtimestamp(round(seconds / 900) * 900, dt.UTC)


@transaction.atomic
def schedule_worked(*, first_day: dt.date, last_day: dt.date) -> int:
    """Replace the shifts of the local days [first_day, last_day] by the ones the agents worked, read from their
    state events: each stretch signed in (not offline) becomes a shift, with its breaks, meetings and trainings
    of ten minutes or more, all rounded to quarter hours. Return the number of shifts.

    The demo's simulator plans its own shifts for its history, so this is the schedule its agents worked to;
    adherence then measures how far they kept it (late starts, long breaks, and the rounding).
    """
    start, end = day_bounds(first_day, last_day, zone())
    PlannedShift.objects.filter(day__range=(first_day, last_day)).delete()
    return _record_worked(start, end)


def _record_worked(start: dt.datetime, end: dt.datetime) -> int:
    """Schedule the stretches the agents were signed in within [start, end) as hand-made shifts (see
    `schedule_worked`); a stretch still going at `end` ends there exactly. Return the number of shifts."""
    by_agent: dict[int, list[metrics.Span]] = defaultdict(list)
    for span in metrics.state_spans(start, end):
        by_agent[span[0]].append(span)
    agents = {u.pk: u for u in User.objects.filter(pk__in=by_agent)}
    count = 0
    for agent_id, spans in sorted(by_agent.items()):
        sessions: list[list[metrics.Span]] = []
        for span in sorted(spans, key=lambda item: item[2]):
            if span[1] == AgentState.OFFLINE:
                sessions.append([])
            elif sessions and sessions[-1] and sessions[-1][-1][3] == span[2]:
                sessions[-1].append(span)
            else:
                sessions.append([span])
        for session in sessions:
            if not session:
                continue
            last = session[-1][3]
            begin, until = _rounded(session[0][2]), (last if last == end else _rounded(last))
            if until - begin < dt.timedelta(minutes=30):
                continue
            activities = []
            moment = begin
            for _agent, state, since, to in session:
                kind = _ACTIVITY_OF.get(state)
                if kind is None or to - since < dt.timedelta(minutes=10):
                    continue
                a, b = max(_rounded(since), moment), min(_rounded(to) if to != end else to, until)
                if a < b:
                    activities.append((kind, a, b))
                    moment = b
            schedule_shift(agent=agents[agent_id], start=begin, end=until, activities=activities)
            count += 1
    return count


def _is_today(now: dt.datetime, today: dt.date) -> bool:
    return now.astimezone(zone()).date() == today


@transaction.atomic
def worked_until(now: dt.datetime) -> int:
    """Today before `now` as the agents worked it, the plans' shifts from `now` on; return the worked shifts.

    The demo's history ends at `now` on the simulator's own roster; from then on the live simulation works the
    product's plan (simulation/follow_plan.py). So adherence measures today the way it does the days before."""
    day = now.astimezone(zone()).date()
    start, _end = day_bounds(day, day, zone())
    _plans_from(now)
    return _record_worked(start, now)


def _plans_from(now: dt.datetime) -> None:
    """Cut today's shifts of plans at `now`: what ended before it goes, what runs across it starts at it."""
    day = now.astimezone(zone()).date()
    PlannedShift.objects.filter(day=day, plan__isnull=False, end__lte=now).delete()
    crossing = PlannedShift.objects.filter(day=day, plan__isnull=False, start__lt=now)
    PlannedActivity.objects.filter(shift__in=crossing, end__lte=now).delete()
    PlannedActivity.objects.filter(shift__in=crossing, start__lt=now).update(start=now)
    crossing.update(start=now)


def _keep_plans_before(now: dt.datetime) -> int:
    """Today's shifts of plans up to `now` as hand-made shifts, which a new plan keeps: the schedule of the hours
    gone by stays the one that held then. Return how many."""
    day = now.astimezone(zone()).date()
    kept = 0
    for shift in PlannedShift.objects.filter(day=day, plan__isnull=False, start__lt=now).select_related("agent"):
        until = min(shift.end, now)
        activities = [(a.kind, a.start, min(a.end, until)) for a in shift.activities.all()
                      if a.kind != Activity.WORK and a.start < until]  # fmt: skip
        schedule_shift(agent=shift.agent, start=shift.start, end=until, activities=activities, queue=shift.queue)
        kept += 1
    return kept


_ACTIVITY_OF: dict[str, str] = {
    AgentState.BREAK: "break",
    AgentState.MEETING: "meeting",
    AgentState.TRAINING: "training",
}


def plan_demo(
    *,
    today: dt.date | None = None,
    time_limit_s: float = 20.0,
    forecaster: Forecaster | None = None,
    now: dt.datetime | None = None,
) -> DemoPlans:
    """Plan the demo's days: last week up to yesterday from the history before last Monday (so the forecast
    meets the actual there; those shifts are then replaced by the ones the agents worked, so adherence has a
    schedule to measure), and today with the six days after it from the history before today, every day
    the queues are open, weekends too. A day the solver leaves without anyone while people are needed (its
    time ran out on a busy machine) is planned again on its own.

    When `today` is the day of `now` (the live demo), the new plan holds from `now` on: the hours before keep the
    schedule that held then (the first start's quick plan, the hours the agents worked before it)."""
    now = now or timezone.now()
    today = today or now.astimezone(zone()).date()
    templates = ensure_templates()
    pool = ensure_people()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    light = forecaster or Forecaster(calendar=peak_calendar(), selection_origins=2)
    past_days = (today - last_monday).days
    past = plan_shifts(first_day=last_monday, days=past_days, time_limit_s=min(5.0, time_limit_s), forecaster=light)
    worked = schedule_worked(first_day=last_monday, last_day=today - dt.timedelta(days=1))
    live = _is_today(now, today)
    if live:
        _keep_plans_before(now)
    ahead = plan_shifts(first_day=today, days=7, time_limit_s=time_limit_s, forecaster=light).plan
    plans = [past.plan, ahead]
    for day in unstaffed_days(ahead):
        needs = [n for n in needs_from_json(ahead.intervals) if n.start.astimezone(zone()).date() == day]
        plans.append(plan_shifts(first_day=day, days=1, time_limit_s=time_limit_s, needs=needs).plan)
    if live:
        _plans_from(now)
    return DemoPlans(plans, pool, templates, worked)


#: The quick forecast of the first start: the same-slot mean of the last four weeks with the peak calendar, one of
#: the baselines the full forecaster compares its candidates with.
QUICK_MODEL = "slot_mean_4w+calendar"
#: The history the quick forecast reads: its four weeks, and a few days for the first of them to have a full week.
QUICK_HISTORY = dt.timedelta(weeks=5)
#: Plans of a week or more come from `plan_demo`; a one-day plan of today is the first start's quick one.
WEEK_PLAN_DAYS = 7


def plan_today(*, today: dt.date | None = None, time_limit_s: float = 5.0, now: dt.datetime | None = None) -> ShiftPlan:
    """Forecast and staff today at once, from the same-slot mean of the last four weeks (no backtest, no model
    selection): the first start's plan, so "today" is forecast and staffed before the long lane has run.
    `plan_demo` replaces it with the chosen forecast's plan.

    With `now` (the end of the demo's history, today) the plan holds from then on, and the hours before are the
    ones the agents worked (`worked_until`)."""
    local = zone()
    today = today or (now or timezone.now()).astimezone(local).date()
    ensure_templates()
    ensure_people()
    quick = Forecaster(calendar=peak_calendar(), selection_origins=0, models=[SlotAverage(QUICK_MODEL, 4)])
    # Only the weeks the same-slot mean reads: loading the contacts is most of the work.
    end = local_midnight(today, local)
    units = load_units(end - QUICK_HISTORY, end, level=CONTACT)
    queues = Queue.objects.filter(is_active=True).order_by("code")
    needs = [n for q in queues for n in forecast_needs(q, today, 1, local, forecaster=quick, units=units)]
    plan = plan_shifts(first_day=today, days=1, time_limit_s=time_limit_s, needs=needs).plan
    if now is not None and _is_today(now, today):
        worked_until(now)
    return plan


def is_planned() -> bool:
    """Whether `plan_demo` has run: its week plans exist (the first start's quick plan of today is one day)."""
    return ShiftPlan.objects.filter(days__gte=WEEK_PLAN_DAYS).exists()


def demo_meetings(*, today: dt.date, now: dt.datetime) -> int:
    """Plan last week's and this week's team meetings of every team into the shifts, and give last week's first
    meeting two actions (one done), which this week's agenda follows up."""
    this_week = today - dt.timedelta(days=today.weekday())
    planned = 0
    for team in Team.objects.order_by("name"):
        for week in (this_week - dt.timedelta(weeks=1), this_week):
            try:
                past = week < this_week  # last week's meetings are history, this week's are planned from now on
                found = meetings.plan_team_meetings(team=team, week=week, now=None if past else now)
                planned += len(found.meetings)
            except ValueError:  # planned before
                continue
    first = TeamMeeting.objects.filter(week=this_week - dt.timedelta(weeks=1)).order_by("start").first()
    if first is not None and not first.actions.exists():
        attendees = list(first.attendees.order_by("username")[:2])
        texts = ["Veelgestelde vraag over retourlabels in de FAQ zetten", "Belscript voor de piek aanpassen"]
        for n, (person, text) in enumerate(zip(attendees, texts, strict=False)):
            action = meetings.add_action(meeting=first, text=text, owner=person, due=this_week + dt.timedelta(days=n),
                                         now=now)  # fmt: skip
            if n == 0:
                meetings.finish_action(action=action, now=now)
    return planned


def unstaffed_days(plan: ShiftPlan) -> list[dt.date]:
    """Return the days of a plan on which people are needed but nobody is scheduled."""
    needed = {n.start.astimezone(zone()).date() for n in needs_from_json(plan.intervals) if n.required > 0}
    staffed = set(PlannedShift.objects.filter(day__in=needed).values_list("day", flat=True))
    return sorted(needed - staffed)
