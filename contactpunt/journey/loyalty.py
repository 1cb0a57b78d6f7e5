"""Service beside loyalty: do customers whose first order or stay brought a complaint come back less?

For each customer with an order, the *first contact* is their first case opened on or after the day of their
first order and before the day of their next order (within the window when there is none). Its outcome: a
complaint (the case's reason or its parent is marked as a complaint reason) or not; solved in one contact (resolved,
never reopened, one inbound contact) or not. Returning is the cohorts' definition: another order on a later day
at most `window_days` after the first. Every share comes with its 95% Wilson interval.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from contactpunt.contacts.models import Case, Contact, Direction
from contactpunt.journey.cohorts import order_days
from contactpunt.journey.models import ComplaintReason

GROUPS = ("no_contact", "complaint", "no_complaint", "solved_first", "not_solved_first")


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of successes/n; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    customers: int
    returning: int

    @property
    def share(self) -> float | None:
        return self.returning / self.customers if self.customers else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.returning, self.customers)


def returning_by_first_contact(*, window_days: int = 730) -> list[Group]:
    """The returning share per outcome of the first contact after the first order."""
    days: dict[int, list[dt.date]] = {}
    for customer_id, day in order_days():
        days.setdefault(customer_id, []).append(day)
    first: dict[int, dt.date] = {}
    until: dict[int, dt.date] = {}
    returned: dict[int, bool] = {}
    for customer_id, seen in days.items():
        seen.sort()
        start = seen[0]
        later = [d for d in seen if d > start]
        first[customer_id] = start
        until[customer_id] = later[0] if later else start + dt.timedelta(days=window_days)
        returned[customer_id] = bool(later) and (later[0] - start).days <= window_days
    complaints = set(ComplaintReason.objects.values_list("reason_id", flat=True))
    first_case: dict[int, tuple[dt.datetime, int, bool, bool]] = {}
    # No list of (a hundred thousand) customer or case ids goes to the database: the rows are kept here.
    cases = Case.objects.filter(customer__isnull=False, merged_into__isnull=True).values_list(
        "customer_id", "opened_at", "pk", "reason_id", "reason__parent_id", "resolved_at", "reopen_count"
    )
    for customer_id, opened_at, pk, reason_id, parent_id, resolved_at, reopens in cases.iterator(chunk_size=5000):
        if customer_id not in first:
            continue
        day = timezone.localdate(opened_at)
        if not first[customer_id] <= day < until[customer_id]:
            continue
        known = first_case.get(customer_id)
        if known is None or opened_at < known[0]:
            is_complaint = reason_id in complaints or parent_id in complaints
            first_case[customer_id] = (opened_at, pk, is_complaint, resolved_at is not None and reopens == 0)
    first_cases = sorted(v[1] for v in first_case.values())
    inbound: dict[int, int] = {}
    for chunk in range(0, len(first_cases), 5000):
        inbound.update(
            Contact.objects.filter(case_id__in=first_cases[chunk : chunk + 5000], direction=Direction.INBOUND)
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
    tally = {key: [0, 0] for key in GROUPS}
    for customer_id, came_back in returned.items():
        keys = ["no_contact"]
        if customer_id in first_case:
            _at, pk, is_complaint, resolved = first_case[customer_id]
            solved = resolved and inbound.get(pk, 0) <= 1
            keys = ["complaint" if is_complaint else "no_complaint", "solved_first" if solved else "not_solved_first"]
        for key in keys:
            tally[key][0] += 1
            tally[key][1] += came_back
    return [Group(key, n, back) for key, (n, back) in tally.items()]
