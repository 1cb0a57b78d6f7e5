"""The slow survey figures kept per scope (kpis.survey_snapshots): the kept driver analysis and FCR view are the
computed ones to the last digit, a new answer shows at once, an operational change within FRESH, and the worker
keeps the pages' default scopes computed and confirms the others without computing them again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts.models import Queue
from contactpunt.feedback.services.bulk_answers import GivenAnswer, record_answers
from contactpunt.feedback.tests.data import resolved_mail
from contactpunt.kpis import survey_snapshots
from contactpunt.kpis.models import SurveySnapshot
from contactpunt.kpis.survey_drivers import fcr_gap, site_drivers
from contactpunt.kpis.survey_snapshots import FRESH, Scope, kept_fcr_gap, kept_site_drivers
from contactpunt.kpis.views_support import Period
from contactpunt.ops import periodic
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def give_answers(queue: Queue, agent: User, t0: dt.datetime, numbers: range) -> None:
    """Answers to resolved e-mails, their survey drivers varied (so four drivers can be analysed) and the score
    following them with a fixed pattern of noise."""
    items = []
    for i in numbers:
        case = resolved_mail(queue, agent, t0 + i * dt.timedelta(minutes=37), f"k{i}", sender=f"k{i}@example.nl")
        solved, expertise, friendliness, effort = i % 2 == 0, 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 5) % 7
        score = min(10, max(0, round(1 + 3 * solved + friendliness - effort / 3 + (i * 7) % 3)))
        items.append(GivenAnswer(case.pk, score, solved, expertise, friendliness, effort))
    assert record_answers(items, now=t0 + 30 * DAY).stored == len(items)


def test_the_kept_analysis_is_the_computed_one_and_a_new_answer_shows_at_once(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    give_answers(email_queue, agent, t0, range(45))
    start, end, now = t0 - DAY, t0 + 10 * DAY, t0 + 11 * DAY
    computed = site_drivers(start, end, None)
    assert computed.analysis is not None and computed.answers == 45
    assert kept_site_drivers(start, end, None, now=now) == computed  # computed, kept, read back from JSON
    with CaptureQueriesContext(connection) as reading:
        again = kept_site_drivers(start, end, None, now=now + FRESH - dt.timedelta(seconds=1))
    assert again == computed and len(reading) == 2  # the answers' key and the snapshot: nothing computed
    give_answers(email_queue, agent, t0 + 2 * DAY, range(45, 46))
    fresh = kept_site_drivers(start, end, None, now=now)
    assert fresh.answers == 46 and fresh == site_drivers(start, end, None)
    assert SurveySnapshot.objects.count() == 1


def test_the_kept_fcr_view_is_the_computed_one(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    give_answers(email_queue, agent, t0, range(6))
    start, end = t0 - 40 * DAY, t0 + 30 * DAY
    computed = fcr_gap(start, end)
    assert computed and computed[0].nps.n == 6
    assert kept_fcr_gap(start, end, now=end) == computed
    assert kept_fcr_gap(start, end, now=end) == computed  # read back


def test_an_operational_change_shows_once_the_snapshot_is_no_longer_fresh(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    give_answers(email_queue, agent, t0, range(45))
    start, end, now = t0 - DAY, t0 + 10 * DAY, t0 + 11 * DAY
    before = kept_site_drivers(start, end, None, now=now)
    # Another contact of the first customer two days later: that case was no first-contact resolution after all
    # (or it reopens): the driver table changes, the answers do not.
    resolved_mail(email_queue, agent, t0 + 2 * DAY, "again", sender="k0@example.nl")
    changed = site_drivers(start, end, None)
    assert changed != before
    assert kept_site_drivers(start, end, None, now=now + FRESH / 2) == before  # still fresh: kept
    assert kept_site_drivers(start, end, None, now=now + FRESH + DAY) == changed  # no longer: inputs read again
    checked = SurveySnapshot.objects.get().checked_at
    # Past FRESH again, the inputs unchanged: confirmed (its check time moves), not computed again.
    later = now + 3 * FRESH + DAY
    with CaptureQueriesContext(connection) as confirming:
        assert kept_site_drivers(start, end, None, now=later) == changed
    assert SurveySnapshot.objects.get().checked_at == later > checked
    assert not any("INSERT" in q["sql"] for q in confirming.captured_queries)


def test_the_worker_computes_the_default_scopes_and_confirms_the_rest(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    give_answers(email_queue, agent, t0, range(3))
    march = Period.of(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "month")
    now = t0 + 5 * DAY
    scopes = survey_snapshots.default_scopes(march)
    assert survey_snapshots.refresh(now, default_periods=[march]) == len(scopes)
    assert set(SurveySnapshot.objects.values_list("key", flat=True)) == {s.key for s in scopes}
    assert survey_snapshots.refresh(now + FRESH, default_periods=[march]) == 0  # nothing changed: confirmed
    assert set(SurveySnapshot.objects.values_list("checked_at", flat=True)) == {now + FRESH}
    give_answers(email_queue, agent, t0 + DAY, range(3, 4))
    # The new answer changes the month's drivers in total and of the team, and the FCR view.
    assert survey_snapshots.refresh(now + 2 * FRESH) == 3
    # A scope of a period that ended long ago is settled: the worker leaves it, the page reads it.
    old = Scope(survey_snapshots.DRIVERS, t0 - 90 * DAY, t0 - 60 * DAY)
    kept_site_drivers(old.start, old.end, None, now=now)
    assert survey_snapshots.refresh(now + 3 * FRESH) == 0
    assert SurveySnapshot.objects.get(key=old.key).checked_at == now
    assert Scope.from_key(old.key) == old
    assert "contactpunt.kpis.tasks.refresh_survey_snapshots" in {s.name for s in periodic.schedules()}


def test_a_result_that_is_not_a_number_is_shown_but_not_kept(t0: dt.datetime) -> None:
    scope = Scope(survey_snapshots.DRIVERS, t0, t0 + DAY)
    survey_snapshots._save(scope, "0:0:0", "inputs", {"r2": float("nan")}, t0)
    assert not SurveySnapshot.objects.exists()
    survey_snapshots._save(scope, "0:0:0", "inputs", {"r2": 0.25}, t0)
    assert SurveySnapshot.objects.get().result == {"r2": 0.25}
