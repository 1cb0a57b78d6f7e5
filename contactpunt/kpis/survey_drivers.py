"""The driver analysis of the product's own answers: one row per NPS answer with its survey drivers (solved,
expertise, friendliness, effort) and its operational drivers (first-contact resolution as measured, wait,
transfers, reopened, channel, reason), analysed by `feedback.drivers` (the code `contactpunt feedback drivers`
runs), per site and period; and the "FCR rose, NPS did not" view per site and month.

Measured FCR follows DESIGN.md's definition (`metrics.is_first_contact_resolution`); for a case whose 7 days
have not passed yet it is provisional (the later contacts seen so far).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from contactpunt.contacts.models import Channel, ContactEvent, EventName
from contactpunt.feedback.drivers import MIN_PER_DRIVER, DriverAnalysis, NotEnoughAnswers, analyse
from contactpunt.feedback.models import Answer, SurveyKind
from contactpunt.kpis import metrics, rollups
from contactpunt.kpis.facts import load_cases
from contactpunt.kpis.intervals import month_spans
from contactpunt.kpis.models import CaseResolution
from contactpunt.kpis.survey_metrics import Estimate, nps_estimate, share_estimate

#: The driver columns, in the order the table is built.
SURVEY_DRIVERS = ("solved", "expertise", "friendliness", "effort")
OPERATIONAL_DRIVERS = ("fcr", "wait_min", "transfers", "reopened", "channel", "reason")


def driver_answers(
    start: dt.datetime, end: dt.datetime, site_id: int | None, team_id: int | None = None
) -> QuerySet[Answer]:
    """The answers `driver_table` reads: the first wave's NPS answers given in [start, end) (at the site, of the
    team)."""
    answers = Answer.objects.filter(
        answered_at__gte=start, answered_at__lt=end, kind=SurveyKind.NPS, invitation__wave=1
    )
    if site_id is not None:
        answers = answers.filter(invitation__site_id=site_id)
    if team_id is not None:
        answers = answers.filter(invitation__team_id=team_id)
    return answers


def measured_fcr(cases: QuerySet[Any, Any]) -> dict[int, bool]:
    """Whether each case of `cases` (a query of case ids) was a first-contact resolution (DESIGN.md), by case id;
    cases never resolved are left out. Read from the case resolutions kept with the day parts; a case on a day a
    dirty contact may change, or resolved since its day was built, is computed from the events."""
    stale = rollups.dirty_days()
    stored = CaseResolution.objects.filter(case_id__in=cases)
    found = dict(stored.exclude(day__in=sorted(stale)).values_list("case_id", "solved"))
    # The rest of the resolved cases from the events: on a stale day, resolved since the last refresh (its day is
    # stale too), or merged (left out by the definition). The database finds them (no list of ids goes back).
    rest = set(stored.filter(day__in=sorted(stale)).values_list("case_id", flat=True)) if stale else set()
    rest.update(
        ContactEvent.objects.filter(name=EventName.RESOLVED, case_id__in=cases)
        # NOT EXISTS, an anti-join: "NOT IN (subquery)" cannot be one on PostgreSQL, and on tables not yet analysed
        # it ran as a subplan per event (26 minutes for 36,000 contacts in a test).
        .filter(~Exists(CaseResolution.objects.filter(case_id=OuterRef("case_id"))))
        .values_list("case_id", flat=True)
    )
    if rest:
        found.update(measured_from_events(Q(pk__in=sorted(rest))))
    return found


def measured_from_events(case_filter: Q) -> dict[int, bool]:
    """`measured_fcr` of the cases matching `case_filter`, from the event log alone."""
    facts = [f for f in load_cases(case_filter) if f.first_resolved_at is not None]
    later = metrics._later_inbound(facts)  # the one definition of FCR's later contacts
    return {f.case_id: metrics.is_first_contact_resolution(f, later) for f in facts}


def driver_table(
    start: dt.datetime, end: dt.datetime, site_id: int | None = None, team_id: int | None = None
) -> dict[str, list[object]]:
    """One row per NPS answer given in [start, end) (at the site, of the team), with `nps` and each driver."""
    rows = list(
        driver_answers(start, end, site_id, team_id).values_list(
            "score",
            "solved",
            "expertise",
            "friendliness",
            "effort",
            "invitation__case_id",
            "invitation__channel",
            "invitation__reason__name",
            "invitation__case__reopen_count",
            "invitation__case__opened_at",
            "invitation__case__first_response_at",
            "invitation__contact__occurred_at",
            "invitation__contact__answered_at",
        )
    )
    case_ids = driver_answers(start, end, site_id, team_id).values("invitation__case_id")
    fcr = measured_fcr(case_ids)
    transfers = dict(
        ContactEvent.objects.filter(case_id__in=case_ids, name=EventName.TRANSFERRED)
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("case_id", "n")
    )
    table: dict[str, list[object]] = defaultdict(list)
    for (
        score,
        solved,
        expertise,
        friendliness,
        effort,
        case_id,
        channel,
        reason,
        reopens,
        opened,
        first,
        at,
        answered,
    ) in rows:
        if channel in Channel.realtime() and at is not None and answered is not None:
            wait = (answered - at).total_seconds() / 60
        elif first is not None:
            wait = (first - opened).total_seconds() / 60
        else:
            wait = None
        table["nps"].append(score)
        table["solved"].append(None if solved is None else float(solved))
        table["expertise"].append(expertise)
        table["friendliness"].append(friendliness)
        table["effort"].append(effort)
        table["fcr"].append(float(fcr.get(case_id, False)))
        table["wait_min"].append(wait)
        table["transfers"].append(transfers.get(case_id, 0))
        table["reopened"].append(float(reopens > 0))
        table["channel"].append(channel)
        table["reason"].append(reason or "-")
    return dict(table)


@dataclass(frozen=True, slots=True)
class SiteDrivers:
    """The analysis of one site (or all), or why there is none."""

    analysis: DriverAnalysis | None
    answers: int
    refusal: str = ""


def site_drivers(
    start: dt.datetime, end: dt.datetime, site_id: int | None, *, team_id: int | None = None, bootstrap: int = 100
) -> SiteDrivers:
    """The driver analysis of the NPS answers in the period at the site (of the team); refused with too few
    answers. A driver without variation in the period (one channel only) is left out. (The pages read it kept, from
    `survey_snapshots`.)"""
    return drivers_of(driver_table(start, end, site_id, team_id), bootstrap=bootstrap)


def drivers_of(table: dict[str, list[object]], *, bootstrap: int = 100) -> SiteDrivers:
    """`site_drivers` of a driver table."""
    n = len(table.get("nps", []))
    drivers = [
        name
        for name in (*SURVEY_DRIVERS, *OPERATIONAL_DRIVERS)
        if name in table and len({v for v in table[name] if v is not None}) > 1
    ]
    if n < MIN_PER_DRIVER * max(1, len(drivers)) or not drivers:
        return SiteDrivers(None, n, "few")
    try:
        analysis = analyse({"nps": table["nps"], **{d: table[d] for d in drivers}}, "nps", bootstrap=bootstrap)
    except NotEnoughAnswers:
        return SiteDrivers(None, n, "few")
    return SiteDrivers(analysis, n)


def gap_answers(start: dt.datetime, end: dt.datetime) -> QuerySet[Answer]:
    """The answers `fcr_gap` reads."""
    return Answer.objects.filter(answered_at__gte=start, answered_at__lt=end, kind=SurveyKind.NPS)


@dataclass(frozen=True, slots=True)
class FcrGap:
    """Per site and month: FCR as measured beside the share of customers who said it was solved, and NPS."""

    site: str
    month: dt.date
    measured_fcr: Estimate
    said_solved: Estimate
    nps: Estimate


def fcr_gap(start: dt.datetime, end: dt.datetime) -> list[FcrGap]:
    """The "FCR rose, NPS did not" view: per site and month of the answers, over the surveyed cases."""
    answers = gap_answers(start, end)
    fcr = measured_fcr(answers.values("invitation__case_id"))
    groups: dict[tuple[str, dt.date], list[tuple[int, int, bool | None]]] = defaultdict(list)
    # A query per local month (as TruncMonth counts them): truncating every row ran a Python function per row.
    for month_start, since, until in month_spans(start, end, timezone.get_current_timezone()):
        of_month = answers.filter(answered_at__gte=since, answered_at__lt=until)
        for site, case_id, score, solved in of_month.values_list("invitation__site__name", "invitation__case_id",
                                                                 "score", "solved"):  # fmt: skip
            groups[(site or "-", month_start.date())].append((case_id, score, solved))
    result = []
    for (site, month), items in sorted(groups.items()):
        n = len(items)
        said = [s for _, _, s in items if s is not None]
        result.append(
            FcrGap(
                site,
                month,
                share_estimate(sum(1 for c, _, _ in items if fcr.get(c)), n),
                share_estimate(sum(1 for s in said if s), len(said)),
                nps_estimate(sum(1 for _, s, _ in items if s >= 9), sum(1 for _, s, _ in items if s <= 6), n),
            )
        )
    return result
