"""The workforce app's writes that pages and commands ask for: queueing a shift plan for the long lane."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from contactpunt.contacts.models import Queue
from contactpunt.people.models import User
from contactpunt.workforce.models import ShiftPlan
from contactpunt.workforce.tasks import run_shift_plan


def queue_shift_plan(
    *, first_day: dt.date, days: int, queue: Queue | None, time_limit_s: float, by: User | None
) -> ShiftPlan:
    """Store a queued plan run and enqueue its task after commit (the worker's long lane solves it; the task
    claims the plan, so a second delivery does nothing). Raise ValueError outside 1-31 days or 1-600 seconds."""
    if not (1 <= days <= 31 and 1 <= time_limit_s <= 600):
        raise ValueError("a plan covers 1 to 31 days with a time limit of 1 to 600 seconds")
    with transaction.atomic():
        plan = ShiftPlan.objects.create(
            first_day=first_day, days=days, queue=queue, time_limit_s=time_limit_s, created_by=by
        )
        transaction.on_commit(lambda: run_shift_plan.enqueue(plan.pk))
    return plan
