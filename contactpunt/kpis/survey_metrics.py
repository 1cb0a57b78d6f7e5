"""NPS, CSAT and CES (DESIGN.md's definitions), each with n and a 95% interval, per grouping and period; and the
closed loop's figures (loop-closure rate, time to close, recovery).

NPS = % promoters (9-10) - % detractors (0-6), variance (p+ + p- - (p+ - p-)^2) / n; CSAT = share of 4-5 on
1-5 (Wilson interval); CES = mean on 1-7 (normal interval) and share >= 5. Counted in SQL per group (set-based);
the ratios and intervals are computed when read. A trend arrow is shown only when this period's interval and the
previous one do not overlap.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from contactpunt.feedback.models import Answer, FollowUp, Invitation, SurveyKind
from contactpunt.kpis.intervals import month_spans

Z95 = 1.959963984540054
#: Below this many answers a figure is shown with a warning that it is too few to trust.
SMALL_N = 30

GROUPINGS = {
    "agent": ("invitation__agent_id", "invitation__agent__first_name", "invitation__agent__last_name"),
    "team": ("invitation__team_id", "invitation__team__name"),
    "site": ("invitation__site_id", "invitation__site__name"),
    "queue": ("invitation__queue_id", "invitation__queue__name"),
    "reason": ("invitation__reason_id", "invitation__reason__name"),
    "channel": ("invitation__channel",),
}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure with its 95% interval and the number of answers behind it (value None without answers)."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def is_small(self) -> bool:
        return self.n < SMALL_N

    def trend(self, previous: Estimate) -> str:
        """ "up" or "down" when the two intervals do not overlap, else "" (no arrow)."""
        if None in (self.low, self.high, previous.low, previous.high):
            return ""
        assert self.low is not None and self.high is not None and previous.low is not None and previous.high is not None
        if self.low > previous.high:
            return "up"
        if self.high < previous.low:
            return "down"
        return ""


NONE = Estimate(None, None, None, 0)


def nps_estimate(promoters: int, detractors: int, n: int) -> Estimate:
    """NPS as a fraction -1..1 with DESIGN.md's variance."""
    if n <= 0:
        return NONE
    plus, minus = promoters / n, detractors / n
    value = plus - minus
    half = Z95 * math.sqrt(max(0.0, plus + minus - value**2) / n)
    return Estimate(value, max(-1.0, value - half), min(1.0, value + half), n)


def share_estimate(hits: int, n: int) -> Estimate:
    """A share 0..1 with its Wilson interval (CSAT, CES >= 5, "solved")."""
    if n <= 0:
        return NONE
    p = hits / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mean_estimate(total: float, squares: float, n: int) -> Estimate:
    """A mean with its normal 95% interval (CES on 1-7)."""
    if n <= 0:
        return NONE
    mean = total / n
    variance = max(0.0, (squares - n * mean * mean) / (n - 1)) if n > 1 else 0.0
    half = Z95 * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


@dataclass(frozen=True, slots=True)
class SurveyFigures:
    key: object
    label: str
    nps: Estimate
    csat: Estimate
    ces: Estimate
    ces_high: Estimate
    solved: Estimate


def _aggregates() -> dict[str, Any]:
    nps = Q(kind=SurveyKind.NPS)
    csat = Q(kind=SurveyKind.CSAT)
    return {
        "nps_n": Count("pk", filter=nps),
        "promoters": Count("pk", filter=nps & Q(score__gte=9)),
        "detractors": Count("pk", filter=nps & Q(score__lte=6)),
        "csat_n": Count("pk", filter=csat),
        "csat_ok": Count("pk", filter=csat & Q(score__gte=4)),
        "ces_n": Count("effort"),
        "ces_sum": Sum("effort"),
        "ces_high": Count("pk", filter=Q(effort__gte=5)),
        "solved_n": Count("solved"),
        "solved_yes": Count("pk", filter=Q(solved=True)),
    }


def _figures(key: object, label: str, row: dict[str, Any], squares: float) -> SurveyFigures:
    ces_n = int(row["ces_n"] or 0)
    return SurveyFigures(
        key,
        label,
        nps_estimate(int(row["promoters"] or 0), int(row["detractors"] or 0), int(row["nps_n"] or 0)),
        share_estimate(int(row["csat_ok"] or 0), int(row["csat_n"] or 0)),
        mean_estimate(float(row["ces_sum"] or 0), squares, ces_n),
        share_estimate(int(row["ces_high"] or 0), ces_n),
        share_estimate(int(row["solved_yes"] or 0), int(row["solved_n"] or 0)),
    )


def survey_figures(
    start: dt.datetime, end: dt.datetime, by: str | None = None, *, team_id: int | None = None
) -> list[SurveyFigures]:
    """NPS, CSAT, CES and "solved" of the answers given in [start, end) (of one team), in total (by None), per
    grouping (a key of GROUPINGS) or per month (by "month")."""
    # The second wave ("did the solution last?") is compared on its own (`wave_comparison`), not mixed in.
    answers = Answer.objects.filter(answered_at__gte=start, answered_at__lt=end, invitation__wave=1)
    if team_id is not None:
        answers = answers.filter(invitation__team_id=team_id)
    if by is None:
        total: dict[str, Any] = answers.aggregate(**_aggregates(), squares=Sum(F("effort") * F("effort")))
        return [_figures(None, "", total, float(total["squares"] or 0))]
    if by == "month":  # the local months of the current time zone, as TruncMonth counts them
        months = []
        for month, since, until in month_spans(start, end, timezone.get_current_timezone()):
            of_month = answers.filter(answered_at__gte=since, answered_at__lt=until)
            row = of_month.aggregate(**_aggregates(), answers=Count("pk"), squares=Sum(F("effort") * F("effort")))
            if row["answers"]:
                months.append(_figures(month, month.date().isoformat(), row, float(row["squares"] or 0)))
        return months
    fields = GROUPINGS[by]
    result = []
    rows = answers.values(*fields).annotate(**_aggregates(), squares=Sum(F("effort") * F("effort")))
    for r in rows.order_by(fields[-1]):
        label = " ".join(str(r[f]) for f in fields[1:] if r[f]) if len(fields) > 1 else str(r[fields[0]] or "")
        result.append(_figures(r[fields[0]], label or "\u2014", r, float(r["squares"] or 0)))
    return result


@dataclass(frozen=True, slots=True)
class LoopFigures:
    """The closed loop of the follow-ups created in a period."""

    created: int
    closed: int
    closed_on_time: int
    open_overdue: int
    median_close_s: float | None
    recovered: int
    with_next_answer: int

    @property
    def closure_rate(self) -> float | None:
        return self.closed / self.created if self.created else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.created if self.created else None

    @property
    def recovery_rate(self) -> float | None:
        """Followed-up detractors who were not detractors at their next survey / those with a next survey."""
        return self.recovered / self.with_next_answer if self.with_next_answer else None


def loop_figures(start: dt.datetime, end: dt.datetime, now: dt.datetime, *, team_id: int | None = None) -> LoopFigures:
    """Loop-closure rate, time to close and recovery of the follow-ups created in [start, end) (of one team)."""
    follow_ups = FollowUp.objects.filter(created_at__gte=start, created_at__lt=end)
    if team_id is not None:
        follow_ups = follow_ups.filter(answer__invitation__team_id=team_id)
    rows = list(
        follow_ups.values_list(
            "created_at", "due_at", "closed_at", "answer__invitation__customer_id", "answer__answered_at"
        )
    )
    closed = [(c, d, x) for c, d, x, _, _ in rows if x is not None]
    durations = [(x - c).total_seconds() for c, _, x in closed]
    followed = {(customer, at) for _, _, x, customer, at in rows if x is not None}
    later = Answer.objects.filter(
        invitation__customer_id__in={customer for customer, _ in followed}, answered_at__gte=start
    ).values_list("invitation__customer_id", "answered_at", "kind", "score")
    by_customer: dict[int, list[tuple[dt.datetime, str, int]]] = {}
    for customer, at, kind, score in later:
        by_customer.setdefault(customer, []).append((at, kind, score))
    recovered = with_next = 0
    for customer, at in followed:
        following = sorted(a for a in by_customer.get(customer, []) if a[0] > at)
        if following:
            with_next += 1
            _, kind, score = following[0]
            recovered += not ((kind == SurveyKind.NPS and score <= 6) or (kind == SurveyKind.CSAT and score <= 2))
    return LoopFigures(
        created=len(rows),
        closed=len(closed),
        closed_on_time=sum(1 for _, d, x in closed if x <= d),
        open_overdue=sum(1 for _, d, x, _, _ in rows if x is None and now > d),
        median_close_s=median(durations) if durations else None,
        recovered=recovered,
        with_next_answer=with_next,
    )


@dataclass(frozen=True, slots=True)
class ResponseRate:
    """Per channel: invitations decided in the period, and how many were sent, delivered, opened and answered."""

    channel: str
    invited: int
    sent: int
    delivered: int
    opened: int
    answered: int

    @property
    def rate(self) -> float | None:
        """Answered / invited (None without invitations). Invited, not sent: a link sent outside Contactpunt
        (or not yet sent) leaves no sent time."""
        return self.answered / self.invited if self.invited else None


def response_rates(start: dt.datetime, end: dt.datetime) -> list[ResponseRate]:
    """The response funnel per channel of the invitations decided in [start, end)."""
    rows = (
        Invitation.objects.filter(decided_at__gte=start, decided_at__lt=end)
        .values("channel")
        .annotate(
            invited=Count("pk"),
            sent=Count("sent_at"),
            delivered=Count("delivered_at"),
            opened=Count("opened_at"),
            answered=Count("answered_at"),
        )
        .order_by("channel")
    )
    return [
        ResponseRate(r["channel"], r["invited"], r["sent"], r["delivered"], r["opened"], r["answered"]) for r in rows
    ]


@dataclass(frozen=True, slots=True)
class WaveComparison:
    """NPS right after the contact and at the second question, over the same cases (those answered twice)."""

    key: object
    label: str
    first: Estimate
    second: Estimate


def wave_comparison(start: dt.datetime, end: dt.datetime, by: str = "reason") -> list[WaveComparison]:
    """Per reason or team (`by`): NPS of the first and second answers of the cases whose second answer was given
    in [start, end)."""
    field = {
        "reason": ("invitation__reason_id", "invitation__reason__name"),
        "team": ("invitation__team_id", "invitation__team__name"),
    }[by]
    second = dict(
        Answer.objects.filter(
            answered_at__gte=start, answered_at__lt=end, invitation__wave=2, kind=SurveyKind.NPS
        ).values_list("invitation__case_id", "score")
    )
    first = Answer.objects.filter(invitation__wave=1, invitation__case_id__in=list(second), kind=SurveyKind.NPS)
    groups: dict[object, tuple[str, list[tuple[int, int]]]] = {}
    for key, label, case_id, score in first.values_list(*field, "invitation__case_id", "score"):
        groups.setdefault(key, (label or "\u2014", []))[1].append((score, second[case_id]))
    result = []
    for key, (label, pairs) in sorted(groups.items(), key=lambda item: item[1][0]):
        n = len(pairs)
        result.append(
            WaveComparison(
                key,
                label,
                nps_estimate(sum(a >= 9 for a, _ in pairs), sum(a <= 6 for a, _ in pairs), n),
                nps_estimate(sum(b >= 9 for _, b in pairs), sum(b <= 6 for _, b in pairs), n),
            )
        )
    return result
