"""Segments from recency, frequency and value: quintile scores (1 to 5) per customer as of a day, placed by the
segment rules (data a manager reads and changes), and the movement between segments from one month to the next.

Scores are quintiles of the customers who ordered on or before the day: recency by days since the last order
(fewer is better), frequency by the number of orders, value by the sum of amounts. Ties share a score (ranked
by their lowest place), so a customer with one order never scores above another with one order. Each segment's
contact rate, top contact reasons and NPS (the survey answers its customers gave, with a 95% interval) come beside it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Max, Sum

from contactpunt.contacts.models import Case, Contact, Direction
from contactpunt.feedback.models import Answer, SurveyKind
from contactpunt.journey.models import Order, SegmentRule
from contactpunt.kpis.survey_metrics import Estimate, nps_estimate

OTHER = "other"
PROMOTER, DETRACTOR = 9, 6  # NPS: 9-10 promote, 0-6 detract (DESIGN.md)


@dataclass(frozen=True, slots=True)
class Scored:
    customer_id: int
    recency: int
    frequency: int
    value: int
    segment: str


def quintile(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Scores 1..5 by quintile of rank, ties sharing the lower score: 1 + floor(5 * (rank_min - 1) / n)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.sort(values)
    rank_min = np.searchsorted(order, values, side="left")  # 0-based place of the first equal value
    return (1 + (5 * rank_min) // n).astype(np.int64)


def score(day: dt.date, rules: list[SegmentRule] | None = None) -> list[Scored]:
    """Every customer with an order on or before `day`, scored and placed in a segment."""
    rows = list(
        Order.objects.filter(customer__isnull=False, ordered_on__lte=day)
        .values("customer_id")
        .annotate(last=Max("ordered_on"), orders=Count("id"), value=Sum("amount"))
        .order_by("customer_id")
    )
    if not rows:
        return []
    rules = list(SegmentRule.objects.all()) if rules is None else rules
    days_since = np.array([(day - r["last"]).days for r in rows], dtype=np.float64)
    recency = quintile(-days_since)  # more recent is higher
    frequency = quintile(np.array([r["orders"] for r in rows], dtype=np.float64))
    value = quintile(np.array([float(r["value"] or 0) for r in rows], dtype=np.float64))
    result = []
    for row, r, f, m in zip(rows, recency, frequency, value, strict=True):
        segment = next((rule.key for rule in rules if rule.matches(int(r), int(f), int(m))), OTHER)
        result.append(Scored(row["customer_id"], int(r), int(f), int(m), segment))
    return result


def month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Movement:
    before: dt.date
    after: dt.date
    counts: dict[tuple[str, str], int]  # (from, to) -> customers; from "" for customers new since `before`
    sizes: dict[str, int]  # segment sizes at `after`


def movement(month: dt.date) -> Movement:
    """How customers moved between segments from the end of the month before `month` to the end of `month`."""
    after = month_end(month)
    before = month.replace(day=1) - dt.timedelta(days=1)
    rules = list(SegmentRule.objects.all())
    then = {s.customer_id: s.segment for s in score(before, rules)}
    now = score(after, rules)
    counts = Counter((then.get(s.customer_id, ""), s.segment) for s in now)
    return Movement(before, after, dict(counts), dict(Counter(s.segment for s in now)))


@dataclass(frozen=True, slots=True)
class Profile:
    """What a segment's customers did with customer service in the `days` before the day."""

    segment: str
    customers: int
    contacts: int
    top_reasons: list[tuple[str, int]]
    answers: int = 0  # NPS answers given in those days
    promoters: int = 0
    detractors: int = 0

    @property
    def contact_rate(self) -> float | None:
        """Inbound contacts per customer of the segment."""
        return self.contacts / self.customers if self.customers else None

    @property
    def nps(self) -> Estimate:
        """The segment's NPS over the answers its customers gave in those days, with its 95% interval."""
        return nps_estimate(self.promoters, self.detractors, self.answers)


def profiles(day: dt.date, *, days: int = 90, scored: list[Scored] | None = None) -> list[Profile]:
    """Per segment (as of `day`): its customers, their inbound contacts in the `days` before and the contact rate,
    the three most frequent contact reasons of their cases opened then, and the NPS of the answers they gave then."""
    scored = score(day) if scored is None else scored
    segment_of = {s.customer_id: s.segment for s in scored}
    start = dt.datetime.combine(day - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    contacts: Counter[str] = Counter()
    # Every customer's contacts, kept when scored: no list of (a hundred thousand) ids goes to the database.
    inbound = Contact.objects.filter(
        direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end, customer__isnull=False
    )
    for customer_id, n in inbound.values("customer_id").annotate(n=Count("id")).values_list("customer_id", "n"):
        if customer_id in segment_of:
            contacts[segment_of[customer_id]] += n
    reasons: dict[str, Counter[str]] = {}
    cases = Case.objects.filter(
        opened_at__gte=start, opened_at__lt=end, customer__isnull=False, reason__isnull=False
    ).values_list("customer_id", "reason__name")
    for customer_id, name in cases:
        if customer_id in segment_of:
            reasons.setdefault(segment_of[customer_id], Counter())[name] += 1
    answers: Counter[str] = Counter()
    promoters: Counter[str] = Counter()
    detractors: Counter[str] = Counter()
    given = Answer.objects.filter(kind=SurveyKind.NPS, answered_at__gte=start, answered_at__lt=end)
    for customer_id, score_given in given.values_list("invitation__customer_id", "score"):
        segment = segment_of.get(customer_id)
        if segment is not None:
            answers[segment] += 1
            promoters[segment] += score_given >= PROMOTER
            detractors[segment] += score_given <= DETRACTOR
    sizes = Counter(segment_of.values())
    return [
        Profile(
            segment,
            size,
            contacts[segment],
            reasons.get(segment, Counter()).most_common(3),
            answers[segment],
            promoters[segment],
            detractors[segment],
        )
        for segment, size in sorted(sizes.items())
    ]
