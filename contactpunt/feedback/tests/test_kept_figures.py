"""The slow survey figures kept per scope (kpis.survey_snapshots): the kept driver analysis and FCR view are the
computed ones to the last digit, a new answer shows at once, an operational change within FRESH, and the worker
keeps the pages' default scopes computed and confirms the others without computing them again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts.models import Queue
from contactpunt.feedback.tests.data import give_answers, resolved_mail
from contactpunt.kpis import survey_snapshots
from contactpunt.kpis.models import SurveySnapshot
from contactpunt.kpis.survey_drivers import fcr_gap, site_drivers
from contactpunt.kpis.survey_snapshots import FRESH, Scope, kept_fcr_gap, kept_site_drivers
from contactpunt.kpis.views_support import Period
from contactpunt.ops import periodic
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


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


def test_the_dashboard_does_not_wait_for_an_analysis_not_kept_yet(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    # The first view after a start: nothing kept. The page shows what is quick and asks for the analyses apart.
    give_answers(email_queue, agent, t0, range(45))
    client = Client()
    client.force_login(team_lead)
    dashboard = "/feedback/?period=month&date=2026-03-02"
    with time_machine.travel(t0 + 11 * DAY, tick=False):
        page = client.get(dashboard).content.decode()
        assert not SurveySnapshot.objects.exists()  # nothing computed for the page itself
        assert 'hx-get="/feedback/analysis/drivers/?period=month&amp;date=2026-03-01"' in page
        assert 'hx-get="/feedback/analysis/gap/?period=month&amp;date=2026-03-01"' in page
        drivers = client.get("/feedback/analysis/drivers/?period=month&date=2026-03-01").content.decode()
        assert "Deel van de variatie" in drivers and "<html" not in drivers
        gap = client.get("/feedback/analysis/gap/?period=month&date=2026-03-01").content.decode()
        assert "FCR gemeten" in gap
        assert SurveySnapshot.objects.count() == 2
        # Kept now: the page shows them itself, the same table as the part.
        again = client.get(dashboard).content.decode()
    assert "/feedback/analysis/" not in again and drivers.strip() in again
    assert client.get("/feedback/analysis/other/").status_code == 404
    client.force_login(agent)  # an agent does not see the team's survey figures, nor their parts
    assert client.get("/feedback/analysis/drivers/").status_code == 403
