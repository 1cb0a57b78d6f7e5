"""Shift plans for the demo organisation: templates, contracts, the flexible pool, and plans from its history.

`ops.demo` calls `plan_demo` after it has simulated the history, so the workforce pages have a forecast
against actual (last week), adherence (agents' simulated states against last week's plan) and a plan ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contactpunt.people.models import Role, Team, User
from contactpunt.workforce.models import Contract, PoolMember, ShiftPlan, ShiftTemplate
from contactpunt.workforce.shifts.planning import plan_shifts, zone

# (name, start hour, hours, break after hours or None): days of eight hours with half an hour's break,
# and half days for the evening and the peaks.
TEMPLATES = (
    *((f"day-{h:02d}", h, 8, 4) for h in range(7, 16)),
    *((f"half-{h:02d}", h, 4, None) for h in (8, 12, 16, 18)),
)
POOL_TEAM = "Flexpool"


@dataclass(frozen=True)
class DemoPlans:
    plans: list[ShiftPlan]
    pool_members: int
    templates: int


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
    """Contracts of 24-40 hours for core agents; the members of `pool_team` join the flexible pool
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
            agent=user, defaults={"min_hours_week": Decimal(24), "max_hours_week": Decimal(40)}
        )
    return len(pool_ids)


def plan_demo(*, today: dt.date | None = None, time_limit_s: float = 20.0) -> DemoPlans:
    """Plan last week (so adherence and forecast against actual have something to show) and the week ahead,
    for every active queue, from the demo's history."""
    today = today or timezone.now().astimezone(zone()).date()
    templates = ensure_templates()
    pool = ensure_people()
    monday = today - dt.timedelta(days=today.weekday())
    plans = [
        plan_shifts(first_day=first, days=7, time_limit_s=time_limit_s).plan
        for first in (monday - dt.timedelta(days=7), monday)
    ]
    return DemoPlans(plans, pool, templates)
