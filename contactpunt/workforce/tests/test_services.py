"""Shift plans are queued through workforce.services: the row, then the task after commit."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.people.models import User
from contactpunt.workforce.models import PlanStatus, ShiftPlan
from contactpunt.workforce.services import queue_shift_plan

pytestmark = pytest.mark.django_db


def test_a_plan_is_stored_queued_and_its_task_waits_for_the_commit(team_lead: User, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan = queue_shift_plan(first_day=dt.date(2026, 3, 2), days=7, queue=None, time_limit_s=30, by=team_lead)
    assert (plan.status, plan.days, plan.created_by) == (PlanStatus.QUEUED, 7, team_lead)
    assert len(callbacks) == 1


@pytest.mark.parametrize(("days", "seconds"), [(0, 30), (32, 30), (7, 0.5), (7, 601)])
def test_a_plan_outside_the_limits_is_refused_and_nothing_is_stored(team_lead: User, days: int, seconds: float):
    with pytest.raises(ValueError, match="1 to 31 days"):
        queue_shift_plan(first_day=dt.date(2026, 3, 2), days=days, queue=None, time_limit_s=seconds, by=team_lead)
    assert not ShiftPlan.objects.exists()
