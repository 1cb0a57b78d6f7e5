"""The slow survey figures kept per scope: the driver analysis (LMG with a bootstrap, seconds of work on a month of
answers) and the "FCR rose, NPS did not" view (measured FCR of half a year of surveyed cases). The pages read them
from here instead of computing them on every request.

A snapshot is a cache (DESIGN.md: anything beside the log can be rebuilt from it). It holds the result, the `answers`
key of the scope's answers (count, last id, sum of ids) and the `inputs` digest of everything the computation read
(the driver table: scores, drivers, measured FCR, wait, transfers; the view's rows), with the time that digest was
last confirmed. A page shows a snapshot when the scope's answers are still the ones it was computed from, and its
inputs were confirmed within FRESH or its period is settled (it ended SETTLED before the check: no answer is given in
it any more and every case's FCR is final); otherwise it is computed, kept and shown (the dashboard asks for it
apart, so its reader never waits for it). So a new answer shows at once; a change of an operational driver alone (a
later contact that makes a case's FCR provisional no more) shows within FRESH. The worker (`refresh`, every
REFRESH_EVERY on the long lane) re-reads the inputs of every unsettled snapshot: unchanged inputs only move its check
time, changed ones are computed again; and it keeps the pages' default scopes (this month and the last, in total, per
site and per team, and the view) computed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet, Sum

from contactpunt.feedback.drivers import Driver, DriverAnalysis
from contactpunt.feedback.models import Answer
from contactpunt.kpis.models import SurveySnapshot
from contactpunt.kpis.survey_drivers import (
    FcrGap,
    SiteDrivers,
    driver_answers,
    driver_table,
    drivers_of,
    fcr_gap,
    gap_answers,
)
from contactpunt.kpis.survey_metrics import Estimate
from contactpunt.kpis.views_support import Period
from contactpunt.people.models import Site, Team

#: A snapshot whose inputs were confirmed this recently is shown (when its answers are unchanged).
FRESH = dt.timedelta(minutes=15)
#: The worker confirms or recomputes the unsettled snapshots this often (a few times within FRESH).
REFRESH_EVERY = dt.timedelta(minutes=5)
#: A period that ended this long before its check no longer changes: FCR's 7 days, and a day's margin.
SETTLED = dt.timedelta(days=8)
#: A snapshot not checked for this long is removed (computed again if asked for).
KEEP = dt.timedelta(days=35)
#: The months the "FCR rose, NPS did not" view shows before the period.
GAP_HISTORY = dt.timedelta(days=183)
DRIVERS, GAP = "drivers", "gap"


@dataclass(frozen=True, slots=True)
class Scope:
    """What one snapshot is of: the driver analysis of [start, end) at a site, of a team; or the view."""

    kind: str
    start: dt.datetime
    end: dt.datetime
    site_id: int | None = None
    team_id: int | None = None

    @property
    def key(self) -> str:
        parts = [self.kind, self.start.isoformat(), self.end.isoformat(), self.site_id, self.team_id]
        return "|".join("" if part is None else str(part) for part in parts)

    @classmethod
    def from_key(cls, key: str) -> Scope:
        kind, start, end, site, team = key.split("|")
        return cls(
            kind,
            dt.datetime.fromisoformat(start),
            dt.datetime.fromisoformat(end),
            int(site) if site else None,
            int(team) if team else None,
        )

    def answers(self) -> QuerySet[Answer]:
        if self.kind == GAP:
            return gap_answers(self.start, self.end)
        return driver_answers(self.start, self.end, self.site_id, self.team_id)


def answers_key(scope: Scope) -> str:
    """Which answers the scope holds: their count, last id and sum of ids (answers are never edited; one given or
    removed changes it)."""
    row = scope.answers().aggregate(n=Count("pk"), last=Max("pk"), total=Sum("pk"))
    return f"{row['n']}:{row['last'] or 0}:{row['total'] or 0}"


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _inputs(scope: Scope) -> tuple[str, Callable[[], object]]:
    """The digest of what the scope's computation reads, and the computation of its result (as kept)."""
    if scope.kind == GAP:
        rows = fcr_gap(scope.start, scope.end)
        kept = [_gap_json(row) for row in rows]
        return _digest(kept), lambda: kept
    table = driver_table(scope.start, scope.end, scope.site_id, scope.team_id)
    return _digest(table), lambda: _drivers_json(drivers_of(table))


def _save(scope: Scope, answers: str, inputs: str, result: object, now: dt.datetime) -> None:
    try:
        json.dumps(result, allow_nan=False)
    except ValueError:  # a figure that is not a number (PostgreSQL's JSON cannot hold it): shown, not kept
        return
    values = {"period_end": scope.end, "answers": answers, "inputs": inputs, "result": result, "checked_at": now}
    try:
        with transaction.atomic():
            SurveySnapshot.objects.update_or_create(key=scope.key, defaults=values)
    except IntegrityError:  # another request kept the same scope at the same moment: theirs is as good
        pass


def _usable(scope: Scope, now: dt.datetime) -> tuple[str, SurveySnapshot | None, bool]:
    """The scope's answers key, its snapshot if any, and whether that snapshot may be shown as it is."""
    answers = answers_key(scope)
    kept = SurveySnapshot.objects.filter(key=scope.key).only("answers", "inputs", "checked_at", "result").first()
    usable = (
        kept is not None
        and kept.answers == answers
        and (kept.checked_at >= now - FRESH or kept.checked_at >= scope.end + SETTLED)
    )
    return answers, kept, usable


def _read(scope: Scope, now: dt.datetime) -> object:
    """The scope's result: kept, confirmed (its inputs read again, unchanged), or computed and kept."""
    answers, kept, usable = _usable(scope, now)
    if kept is not None and usable:
        return kept.result
    same = kept is not None and kept.answers == answers
    inputs, compute = _inputs(scope)
    if kept is not None and same and kept.inputs == inputs:
        SurveySnapshot.objects.filter(pk=kept.pk).update(checked_at=now)
        return kept.result
    result = compute()
    _save(scope, answers, inputs, result, now)
    return result


def kept_site_drivers(
    start: dt.datetime, end: dt.datetime, site_id: int | None, *, now: dt.datetime, team_id: int | None = None
) -> SiteDrivers:
    """`survey_drivers.site_drivers` as kept (computed and kept when no usable snapshot is there)."""
    return _drivers_from(_read(Scope(DRIVERS, start, end, site_id, team_id), now))


def ready_site_drivers(
    start: dt.datetime, end: dt.datetime, site_id: int | None, *, now: dt.datetime, team_id: int | None = None
) -> SiteDrivers | None:
    """The kept driver analysis when it may be shown as it is; None when it must be computed (seconds): a page then
    asks for it apart (`kept_site_drivers`) instead of making its reader wait."""
    _answers, kept, usable = _usable(Scope(DRIVERS, start, end, site_id, team_id), now)
    return _drivers_from(kept.result) if kept is not None and usable else None


def ready_fcr_gap(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> list[FcrGap] | None:
    """The kept FCR view when it may be shown as it is; None when it must be computed."""
    _answers, kept, usable = _usable(Scope(GAP, start, end), now)
    if kept is None or not usable:
        return None
    assert isinstance(kept.result, list)
    return [_gap_from(row) for row in kept.result]


def kept_fcr_gap(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> list[FcrGap]:
    """`survey_drivers.fcr_gap` as kept."""
    result = _read(Scope(GAP, start, end), now)
    assert isinstance(result, list)
    return [_gap_from(row) for row in result]


def refresh(now: dt.datetime, *, default_periods: Sequence[Period] = ()) -> int:
    """The worker's run: compute the default scopes of `default_periods` not kept yet, confirm or recompute every
    unsettled snapshot, and remove the ones unchecked for KEEP. Returns how many were computed."""
    SurveySnapshot.objects.filter(checked_at__lt=now - KEEP).delete()
    computed = 0
    done: set[str] = set()
    if default_periods:
        known = set(SurveySnapshot.objects.values_list("key", flat=True))
        for scope in [s for period in default_periods for s in default_scopes(period)]:
            if scope.key not in known:
                answers = answers_key(scope)
                inputs, compute = _inputs(scope)
                _save(scope, answers, inputs, compute(), now)
                done.add(scope.key)
                computed += 1
    for kept in SurveySnapshot.objects.filter(period_end__gt=now - SETTLED).only("key", "answers", "inputs"):
        if kept.key in done:
            continue
        scope = Scope.from_key(kept.key)
        answers = answers_key(scope)
        inputs, compute = _inputs(scope)
        if (answers, inputs) == (kept.answers, kept.inputs):
            SurveySnapshot.objects.filter(pk=kept.pk).update(checked_at=now)
        else:
            _save(scope, answers, inputs, compute(), now)
            computed += 1
    return computed


def default_scopes(period: Period) -> list[Scope]:
    """What the feedback pages show first for the month `period`: its drivers in total, per site and per team (the
    PDCA report), and the "FCR rose, NPS did not" view up to its end."""
    sites = Site.objects.order_by("pk").values_list("pk", flat=True)
    teams = Team.objects.order_by("pk").values_list("pk", flat=True)
    return [
        Scope(DRIVERS, period.start, period.end),
        *(Scope(DRIVERS, period.start, period.end, site_id=site) for site in sites),
        *(Scope(DRIVERS, period.start, period.end, team_id=team) for team in teams),
        Scope(GAP, period.start - GAP_HISTORY, period.end),
    ]


# -- as kept (JSON: floats keep every digit) --------------------------------------------------------------------


def _estimate_json(e: Estimate) -> list[Any]:
    return [e.value, e.low, e.high, e.n]


def _estimate_from(row: list[Any]) -> Estimate:
    value, low, high, n = row
    return Estimate(value, low, high, n)


def _drivers_json(found: SiteDrivers) -> dict[str, Any]:
    analysis = found.analysis
    return {
        "answers": found.answers,
        "refusal": found.refusal,
        "analysis": None
        if analysis is None
        else {
            "r2": analysis.r2,
            "n": analysis.n,
            "drivers": [[d.name, d.share, d.low, d.high, d.significant, d.direction] for d in analysis.drivers],
        },
    }


def _drivers_from(kept: object) -> SiteDrivers:
    assert isinstance(kept, dict)
    analysis = kept["analysis"]
    return SiteDrivers(
        None
        if analysis is None
        else DriverAnalysis([Driver(*row) for row in analysis["drivers"]], analysis["r2"], analysis["n"]),
        kept["answers"],
        kept["refusal"],
    )


def _gap_json(row: FcrGap) -> dict[str, Any]:
    return {
        "site": row.site,
        "month": row.month.isoformat(),
        "measured_fcr": _estimate_json(row.measured_fcr),
        "said_solved": _estimate_json(row.said_solved),
        "nps": _estimate_json(row.nps),
    }


def _gap_from(kept: dict[str, Any]) -> FcrGap:
    return FcrGap(
        kept["site"],
        dt.date.fromisoformat(kept["month"]),
        _estimate_from(kept["measured_fcr"]),
        _estimate_from(kept["said_solved"]),
        _estimate_from(kept["nps"]),
    )
