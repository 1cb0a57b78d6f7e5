"""Reason spikes: a contact reason's daily volume above the upper bound of its expected level.

The reason of an inbound contact is the one the agent chose at wrap-up (the case's reason), else
the reason model's suggestion for its message; contacts with neither are not counted. A reason's
volume on a day is the number of **customers** who contacted about it (a contact without an
identified customer counts on its own): a structural problem hits many customers, while one customer
calling back three times is a repeat contact, reported on its own.

**Expected level** of a reason on a local day = the median of its counts on the same weekday in the
``BASELINE_WEEKS`` weeks before (weekdays differ a lot in a contact centre; the median ignores an
earlier spike). **Upper bound** = expected + ``K`` x max(1.4826 x MAD, sqrt(max(expected, 1))):
a robust standard deviation, floored by the Poisson spread so a very steady reason does not flag
on noise. A day is a **spike** when its count is above the upper bound, at least ``MIN_COUNT``, and at least
``MIN_RATIO`` times the expected level (a busy reason's ordinary overdispersion, from repeat
contacts and trend, is not a structural problem).
A day needs ``MIN_BASELINE_WEEKS`` earlier weeks with contacts before it can be judged. The
workforce forecaster is not used: it forecasts queues, not reasons, and a per-reason model per day
would cost more than this baseline gains on volumes this small.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from contactpunt.contacts.models import Contact, Direction
from contactpunt.insights.models import MessageInsight, ReasonSpike
from contactpunt.kpis.intervals import day_bounds, zone

BASELINE_WEEKS = 6
MIN_BASELINE_WEEKS = 3
K = 3.5
MIN_COUNT = 12
MIN_RATIO = 2.0
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True)
class DayJudgement:
    """One reason on one day: its count, expected level and upper bound."""

    reason_id: int
    day: dt.date
    count: int
    expected: float
    upper_bound: float

    @property
    def is_spike(self) -> bool:
        return self.count > self.upper_bound and self.count >= max(MIN_COUNT, MIN_RATIO * self.expected)


def contact_reasons(start: dt.datetime, end: dt.datetime) -> list[tuple[int, dt.datetime, int | None]]:
    """(contact id, arrival, reason id or None) of every inbound contact that arrived in [start, end)."""
    return [(pk, at, reason) for pk, at, reason, _customer in _contact_rows(start, end)]


def reasons_of_contacts(start: dt.datetime, end: dt.datetime) -> list[tuple[int, int | None]]:
    """(contact id, reason id or None) of every inbound contact that arrived in [start, end), as `contact_reasons`
    without the arrival (the weekly report counts per reason; converting every arrival cost it more than the query)."""
    contacts = _inbound(start, end).values_list("pk", "case__reason_id")
    suggested = _suggested(start, end)
    return [(pk, chosen or suggested.get(pk)) for pk, chosen in contacts]


def reason_counts(start: dt.datetime, end: dt.datetime) -> Counter[int]:
    """Inbound contacts per reason that arrived in [start, end), counted by the database: the reasons of
    `reasons_of_contacts` (the case's, else the latest suggestion of the contact's messages in the window)."""
    suggested = (
        MessageInsight.objects.filter(
            contact_id=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end, suggested_reason__isnull=False
        )
        .order_by("-id")
        .values("suggested_reason_id")[:1]
    )
    rows = (
        _inbound(start, end)
        .annotate(reason=Coalesce("case__reason_id", Subquery(suggested), output_field=BigIntegerField()))
        .filter(reason__isnull=False)
        .values("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )
    return Counter(dict(rows))


def _inbound(start: dt.datetime, end: dt.datetime) -> QuerySet[Contact]:
    return Contact.objects.filter(direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end).order_by()


def _suggested(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """The reason the model suggested per contact (its latest analysed message of [start, end))."""
    return dict(
        MessageInsight.objects.filter(occurred_at__gte=start, occurred_at__lt=end, suggested_reason__isnull=False)
        .order_by("id")
        .values_list("contact_id", "suggested_reason_id")
    )


def _contact_rows(start: dt.datetime, end: dt.datetime) -> list[tuple[int, dt.datetime, int | None, int | None]]:
    contacts = list(_inbound(start, end).values_list("pk", "occurred_at", "case__reason_id", "customer_id"))
    suggested = _suggested(start, end)
    return [(pk, at, chosen or suggested.get(pk), customer) for pk, at, chosen, customer in contacts]


def daily_counts(first: dt.date, last: dt.date) -> Counter[tuple[int, dt.date]]:
    """Customers who contacted per (reason id, local day) for the local days ``first`` to ``last``."""
    local = zone()
    start, end = day_bounds(first, last, local)
    seen: set[tuple[int, dt.date, str]] = set()
    for pk, at, reason_id, customer_id in _contact_rows(start, end):
        if reason_id is not None:
            who = f"customer {customer_id}" if customer_id is not None else f"contact {pk}"
            seen.add((reason_id, at.astimezone(local).date(), who))
    return Counter((reason_id, day) for reason_id, day, _who in seen)


def judge_days(first: dt.date, last: dt.date) -> list[DayJudgement]:
    """Judge every reason on every local day from ``first`` to ``last`` that has a baseline."""
    history_start = first - dt.timedelta(weeks=BASELINE_WEEKS)
    counts = daily_counts(history_start, last)
    active_days = {day for _reason, day in counts}
    if not active_days:
        return []
    data_start = min(active_days)
    judgements = []
    for reason_id in sorted({reason for reason, _day in counts}):
        day = first
        while day <= last:
            earlier = [day - dt.timedelta(weeks=w) for w in range(1, BASELINE_WEEKS + 1)]
            earlier = [d for d in earlier if d >= data_start]
            if len(earlier) >= MIN_BASELINE_WEEKS:
                values = [counts.get((reason_id, d), 0) for d in earlier]
                expected = statistics.median(values)
                mad = statistics.median(abs(v - expected) for v in values)
                spread = max(MAD_TO_SIGMA * mad, max(expected, 1.0) ** 0.5)
                count = counts.get((reason_id, day), 0)
                judgements.append(DayJudgement(reason_id, day, count, float(expected), expected + K * spread))
            day += dt.timedelta(days=1)
    return judgements


def flag_spikes(first: dt.date, last: dt.date) -> list[ReasonSpike]:
    """Store the spikes of the local days ``first`` to ``last`` (again: updated, never duplicated); return them.

    A stored spike that no longer holds (late wrap-ups moved contacts to another reason) is removed.
    """
    spikes = [j for j in judge_days(first, last) if j.is_spike]
    keep = {(spike.reason_id, spike.day) for spike in spikes}
    with transaction.atomic():
        stale = [
            pk
            for pk, reason_id, day in ReasonSpike.objects.filter(day__gte=first, day__lte=last).values_list(
                "pk", "reason_id", "day"
            )
            if (reason_id, day) not in keep
        ]
        ReasonSpike.objects.filter(pk__in=stale).delete()
        return [
            ReasonSpike.objects.update_or_create(
                reason_id=spike.reason_id,
                day=spike.day,
                defaults={"count": spike.count, "expected": spike.expected, "upper_bound": spike.upper_bound},
            )[0]
            for spike in spikes
        ]
