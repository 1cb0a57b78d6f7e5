"""Who is on a case: an open work session counts as present while its page beats (a heartbeat every 30 s); a
browser killed without saying goodbye stops beating, and after `PRESENT_WITHIN` (2 minutes) of silence its agent
is no longer shown as working on the case, in the inbox or on the case page. Every moment is passed in (`now`),
no clock is waited for."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.inbox import InboxFilters, inbox
from contactpunt.contacts.models import WorkSession
from contactpunt.contacts.models.events import PRESENT_WITHIN
from contactpunt.contacts.services.work_sessions import end_work_sessions, keep_work_session, start_work_session
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.people.models import Role, User
from contactpunt.web.workspace.panels import others_working

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday morning
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def bram(team) -> User:
    return User.objects.create_user("bram", password="x", role=Role.AGENT, team=team, first_name="Bram")


def test_a_page_that_stops_beating_is_not_present_after_two_minutes(agent, bram, email_queue):
    case = mail(email_queue, T0 - dt.timedelta(minutes=5), "m1")
    start_work_session(agent=bram, case=case, at=T0)

    def working(now: dt.datetime) -> tuple[str, list[str]]:
        return inbox(agent, InboxFilters(), now=now).rows[0].working, others_working(case, agent, now)

    assert working(T0 + PRESENT_WITHIN) == ("Bram", ["Bram"])
    assert working(T0 + PRESENT_WITHIN + SECOND) == ("", [])  # the browser was killed: no beat since T0

    for beat in range(1, 11):  # a page that stays open beats every 30 seconds for five minutes
        assert keep_work_session(agent=bram, case=case, at=T0 + beat * dt.timedelta(seconds=30))
    last_beat = T0 + dt.timedelta(minutes=5)
    assert working(last_beat + PRESENT_WITHIN) == ("Bram", ["Bram"])
    assert working(last_beat + PRESENT_WITHIN + SECOND) == ("", [])

    end_work_sessions(agent=bram, case=case, outcome="left", at=last_beat + SECOND)  # the pagehide beacon
    assert working(last_beat + SECOND) == ("", [])
    assert not keep_work_session(agent=bram, case=case, at=last_beat + 2 * SECOND)  # nothing open to keep


def test_a_session_left_without_goodbye_ends_at_its_last_beat_when_the_case_is_opened_again(bram, email_queue):
    case = mail(email_queue, T0 - dt.timedelta(minutes=5), "m1")
    first = start_work_session(agent=bram, case=case, at=T0)
    keep_work_session(agent=bram, case=case, at=T0 + dt.timedelta(minutes=1))
    assert start_work_session(agent=bram, case=case, at=T0 + dt.timedelta(minutes=2)).pk == first.pk  # still beating

    later = start_work_session(agent=bram, case=case, at=T0 + dt.timedelta(hours=1))  # the tab was killed at 9:01
    first.refresh_from_db()
    assert later.pk != first.pk
    assert (first.ended_at, first.outcome) == (T0 + dt.timedelta(minutes=1), "left")  # not an hour of work
    assert (later.started_at, later.seen_at, later.ended_at) == (T0 + dt.timedelta(hours=1),) * 2 + (None,)
    assert WorkSession.objects.filter(case=case, ended_at__isnull=True).count() == 1


def test_a_session_from_before_heartbeats_counts_from_its_start(agent, bram, email_queue):
    case = mail(email_queue, T0 - dt.timedelta(minutes=5), "m1")
    WorkSession.objects.create(agent=bram, case=case, started_at=T0)  # seen_at empty
    assert others_working(case, agent, T0 + PRESENT_WITHIN) == ["Bram"]
    assert others_working(case, agent, T0 + PRESENT_WITHIN + SECOND) == []
