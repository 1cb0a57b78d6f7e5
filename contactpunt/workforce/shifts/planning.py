"""Plan shifts: from the required agents per quarter hour to named agents' shifts, stored as a ShiftPlan.

`plan_shifts` is the service the command, the page's background task and the demo call.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contactpunt.contacts.models import Queue
from contactpunt.people.models import Role, User
from contactpunt.workforce.forecasting import Forecaster
from contactpunt.workforce.meetings import keep_meetings
from contactpunt.workforce.models import (
    Activity,
    Contract,
    PlannedActivity,
    PlannedShift,
    PlanStatus,
    PoolMember,
    ShiftPlan,
    ShiftTemplate,
)
from contactpunt.workforce.requirement import INTERVAL_S, IntervalNeed, forecast_needs, grid, history_units
from contactpunt.workforce.shifts.meeting_capacity import meeting_needs
from contactpunt.workforce.shifts.meeting_room import make_room
from contactpunt.workforce.shifts.solver import Demand, ShiftOption, Solution, Worker, solve

logger = logging.getLogger(__name__)

_MINUTES = INTERVAL_S // 60


@dataclass(frozen=True)
class PlanOutcome:
    """The stored plan and the solver's answer."""

    plan: ShiftPlan
    solution: Solution


@dataclass(frozen=True)
class PlacedTemplate:
    option: ShiftOption
    template: ShiftTemplate
    day: dt.date


def zone() -> ZoneInfo:
    return ZoneInfo(timezone.get_current_timezone_name())


def shift_options(
    templates: Sequence[ShiftTemplate], first_day: dt.date, days: int, starts: Sequence[dt.datetime], zone: ZoneInfo
) -> list[PlacedTemplate]:
    """Place every template on every day of the horizon where its start is on the grid and it ends inside."""
    position = {moment: n for n, moment in enumerate(starts)}
    placed = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for template in templates:
            start = dt.datetime.combine(day, template.start_time, zone).astimezone(dt.UTC)
            index = position.get(start)
            length = template.length_minutes // _MINUTES
            if index is None or template.length_minutes % _MINUTES or index + length > len(starts):
                continue
            breaks = tuple((o // _MINUTES, max(1, m // _MINUTES)) for o, m in template.break_spans())
            option = ShiftOption(str(template.pk), offset, index, length, template.length_minutes / 60, breaks)
            placed.append(PlacedTemplate(option, template, day))
    return placed


def _skills(user: User) -> frozenset[str]:
    return frozenset(user.skills.values_list("code", flat=True))


def workers(first_day: dt.date, days: int, starts: Sequence[dt.datetime], zone: ZoneInfo) -> list[Worker]:
    """Core agents (role agent, schedulable) and the active flexible pool, with their weekly hours (the solver
    applies them to each seven-day block of the horizon; a plan shorter than a week forces nobody in)."""
    pool = {m.user_id: m for m in PoolMember.objects.filter(is_active=True, user__is_active=True)}
    contracts = {c.agent_id: c for c in Contract.objects.all()}
    result: list[Worker] = []
    core = User.objects.filter(role=Role.AGENT, is_active=True).exclude(pk__in=pool).select_related("team__department")
    for user in core.order_by("pk").prefetch_related("skills"):
        contract = contracts.get(user.pk)
        if contract is not None and not contract.is_schedulable:
            continue
        minimum = float(contract.min_hours_week) if contract else 0.0
        maximum = float(contract.max_hours_week) if contract else 40.0
        cost = float(user.team.effective_cost_per_hour()) if user.team else 0.0
        result.append(Worker(user.pk, user.get_username(), _skills(user), minimum, maximum, cost))
    for member in sorted(pool.values(), key=lambda m: m.user_id):
        local = [moment.astimezone(zone) for moment in starts]
        available = frozenset(
            n
            for n, moment in enumerate(local)
            if member.is_available_on(moment.date())
            and member.available_from <= moment.time()
            and (moment + dt.timedelta(seconds=INTERVAL_S)).time() <= member.available_until
            and (moment + dt.timedelta(seconds=INTERVAL_S)).date() == moment.date()
        )
        user = member.user
        result.append(
            Worker(
                user.pk,
                user.get_username(),
                _skills(user),
                max_hours=float(member.max_hours_week),
                cost_per_hour=float(member.cost_per_hour),
                is_pool=True,
                available=available,
            )
        )
    return result


def _queues(queue: Queue | None) -> list[Queue]:
    if queue is not None:
        return [queue]
    return list(Queue.objects.filter(is_active=True).order_by("code"))


def plan_shifts(
    *,
    first_day: dt.date,
    days: int,
    queue: Queue | None = None,
    time_limit_s: float = 30.0,
    needs: Sequence[IntervalNeed] | None = None,
    created_by: User | None = None,
    plan: ShiftPlan | None = None,
    forecaster: Forecaster | None = None,
) -> PlanOutcome:
    """Plan the shifts of the local days [first_day, first_day + days) for one queue or every active queue.

    Without `needs`, the requirement comes from the forecast (see requirement.forecast_needs). Replaces
    the shifts of earlier plans for those queues and days; hand-made shifts (no plan) are kept.
    """
    if days <= 0 or days > 62:
        raise ValueError("plan between 1 and 62 days")
    if time_limit_s <= 0:
        raise ValueError("the time limit must be positive")
    local = zone()
    starts = grid(first_day, days, local)
    queues = _queues(queue)
    if plan is None:
        plan = ShiftPlan.objects.create(first_day=first_day, days=days, queue=queue, time_limit_s=time_limit_s,
                                        created_by=created_by)  # fmt: skip
    ShiftPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.RUNNING)
    if needs is None:
        units = history_units(starts[0])
        needs = [
            n for q in queues for n in forecast_needs(q, first_day, days, local, forecaster=forecaster, units=units)
        ]
    position = {moment: n for n, moment in enumerate(starts)}
    demands = []
    for q in queues:
        required = [0.0] * len(starts)
        for need in needs:
            if need.queue == q.code and need.start in position:
                required[position[need.start]] = float(need.required)
        demands.append(Demand(q.code, required, frozenset(q.skills.values_list("code", flat=True))))
    placed = shift_options(list(ShiftTemplate.objects.filter(is_active=True)), first_day, days, starts, local)
    people = workers(first_day, days, starts, local)
    meetings = meeting_needs(people, demands, starts, first_day, days, local)  # room for the weekly team meeting
    options = [p.option for p in placed]
    solution = solve(demands, options, people, time_limit_s=time_limit_s)
    if meetings:
        # The weekly team meetings go into the plan as a second, small problem over its shifts (adding a shift only
        # where the shifts leave no room): it cannot cover the queues worse, as one larger model within the same
        # time limit could.
        solution = make_room(demands, options, people, meetings, solution, time_limit_s=min(time_limit_s, 30.0))
        seated = sum(len(ids) for *_rest, ids in solution.meetings)
        members = sum(len(need.workers) for need in meetings) * (days // 7)
        if seated < members:
            logger.info("plan %s: room for %s of %s team-meeting seats", plan.pk, seated, members)
    _store(plan, solution, placed=placed, queues=queues, starts=starts, needs=needs)
    # The team meetings already planned in these days go into the new shifts again.
    for meeting, person in keep_meetings(starts[0], starts[-1] + dt.timedelta(seconds=INTERVAL_S)):
        logger.info("meeting %s at %s: %s has no shift at that time in plan %s", meeting.pk, meeting.start,
                    person.pk, plan.pk)  # fmt: skip
    plan.refresh_from_db()
    return PlanOutcome(plan, solution)


def _store(
    plan: ShiftPlan,
    solution: Solution,
    *,
    placed: Sequence[PlacedTemplate],
    queues: Sequence[Queue],
    starts: Sequence[dt.datetime],
    needs: Sequence[IntervalNeed],
) -> None:
    by_option = {(p.option.key, p.option.day): p for p in placed}
    by_code = {q.code: q for q in queues}
    first_day = plan.first_day
    last_day = first_day + dt.timedelta(days=plan.days - 1)
    with transaction.atomic():
        PlannedShift.objects.filter(
            ~Q(plan=plan), plan__isnull=False, day__range=(first_day, last_day), queue__in=queues
        ).delete()
        shifts, breaks = [], []
        for assignment in solution.assignments:
            item = by_option[(assignment.option.key, assignment.option.day)]
            begin = starts[assignment.option.start]
            end = begin + dt.timedelta(minutes=item.template.length_minutes)
            shifts.append(PlannedShift(plan=plan, agent_id=assignment.worker_id, day=item.day, start=begin, end=end,
                                       queue=by_code[assignment.queue], template=item.template,
                                       is_pool=assignment.is_pool))  # fmt: skip
            breaks.append(item.template.break_spans())
        # In bulk: the write lock SQLite gives one writer at a time is held for a moment, not a query per shift.
        PlannedShift.objects.bulk_create(shifts)
        PlannedActivity.objects.bulk_create(
            [row for shift, spans in zip(shifts, breaks, strict=True) for row in _activities(shift, spans)]
        )
        ShiftPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.DONE if solution.status != "infeasible" else PlanStatus.FAILED,
            solver_status=solution.status,
            mip_gap=solution.mip_gap,
            runtime_s=solution.runtime_s,
            under_coverage=solution.under_total,
            cost=solution.cost,
            pool_hours=solution.pool_hours,
            message=solution.message[:2000],
            intervals=[n.as_json() for n in needs],
        )


def _activities(shift: PlannedShift, breaks: Sequence[tuple[int, int]]) -> list[PlannedActivity]:
    """Work from start to end, with the breaks cut out of it."""
    moment = shift.start
    rows = []
    for offset, minutes in breaks:
        begin = shift.start + dt.timedelta(minutes=offset)
        if begin > moment:
            rows.append(PlannedActivity(shift=shift, kind=Activity.WORK, start=moment, end=begin))
        rows.append(PlannedActivity(shift=shift, kind=Activity.BREAK, start=begin,
                                    end=begin + dt.timedelta(minutes=minutes)))  # fmt: skip
        moment = begin + dt.timedelta(minutes=minutes)
    if moment < shift.end:
        rows.append(PlannedActivity(shift=shift, kind=Activity.WORK, start=moment, end=shift.end))
    return rows


def schedule_shift(
    *,
    agent: User,
    start: dt.datetime,
    end: dt.datetime,
    activities: Sequence[tuple[str, dt.datetime, dt.datetime]] = (),
    queue: Queue | None = None,
) -> PlannedShift:
    """Schedule one shift by hand: work from start to end, with the given (kind, from, to) activities
    (break, training, meeting) cut out of the work. The shift's day is its local start date."""
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise ValueError("a shift needs aware start < end")
    for kind, begin, until in activities:
        if kind not in Activity.values or not (start <= begin < until <= end):
            raise ValueError(f"activity {kind} {begin}-{until} does not fit in the shift")
    ordered = sorted(activities, key=lambda item: item[1])
    with transaction.atomic():
        shift = PlannedShift.objects.create(agent=agent, day=start.astimezone(zone()).date(), start=start, end=end,
                                            queue=queue)  # fmt: skip
        rows = []
        moment = start
        for kind, begin, until in ordered:
            if begin < moment:
                raise ValueError("activities overlap")
            if begin > moment:
                rows.append(PlannedActivity(shift=shift, kind=Activity.WORK, start=moment, end=begin))
            rows.append(PlannedActivity(shift=shift, kind=kind, start=begin, end=until))
            moment = until
        if moment < end:
            rows.append(PlannedActivity(shift=shift, kind=Activity.WORK, start=moment, end=end))
        PlannedActivity.objects.bulk_create(rows)
    return shift
