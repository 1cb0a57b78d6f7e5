"""Background work of the workforce app: run a queued shift plan (the page's "plan shifts" button), and plan the
demo organisation's shifts after its first start."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from contactpunt.ops import progress
from contactpunt.ops.lanes import LONG
from contactpunt.workforce import demo
from contactpunt.workforce.models import PlannedShift, PlanStatus, ShiftPlan
from contactpunt.workforce.shifts.planning import plan_shifts

log = logging.getLogger(__name__)


@task(queue_name=LONG)
def run_shift_plan(plan_id: int) -> str:
    """Claim the queued plan and solve it; a plan already claimed or gone is left alone (idempotent)."""
    claimed = ShiftPlan.objects.filter(pk=plan_id, status=PlanStatus.QUEUED).update(status=PlanStatus.RUNNING)
    if not claimed:
        return "skipped"
    plan = ShiftPlan.objects.select_related("queue").get(pk=plan_id)
    progress.report(gettext_noop("forecasting and planning shifts"), done=0, total=1)
    try:
        outcome = plan_shifts(
            first_day=plan.first_day, days=plan.days, queue=plan.queue, time_limit_s=plan.time_limit_s, plan=plan
        )
    except Exception as error:  # the page must show why; the worker keeps going
        log.exception("shift plan %s failed", plan_id)
        ShiftPlan.objects.filter(pk=plan_id).update(status=PlanStatus.FAILED, message=str(error)[:2000])
        return "failed"
    return outcome.solution.status


@task(queue_name=LONG)
def plan_demo_shifts() -> int:
    """Plan last week and this week of the demo with the chosen forecast (about a minute and a half, so `up` leaves
    it to the worker rather than keeping the first start waiting; the first start planned today with a quick
    forecast, which this replaces); return how many shifts were planned or recorded."""
    if demo.is_planned():
        return 0  # planned already: the demo's start was repeated
    progress.report(gettext_noop("forecasting and planning shifts"), done=0, total=1)
    demo.plan_demo()
    # The short team meetings of last week and this week, fitted into the planned shifts.
    demo.demo_meetings(today=timezone.localdate(), now=timezone.now())
    return PlannedShift.objects.count()
