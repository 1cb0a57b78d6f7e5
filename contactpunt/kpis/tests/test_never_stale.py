"""Figures never silently stale: dirty marks leave only with the rebuild of their intervals, a mark written during a
rebuild survives it, a change of an agent's team marks their contacts, reads never write, and a failed subscriber
or enqueue is recorded, retried by the periodic job and shown on the admin's "background work" page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts import announcements
from contactpunt.contacts.announcements import Announcement, Message, retry_failed_deliveries
from contactpunt.contacts.models import FailedDelivery, Queue
from contactpunt.insights import tasks as insights_tasks
from contactpunt.kpis import dayparts, dirty_marks, rollups
from contactpunt.kpis.facts import LEG
from contactpunt.kpis.models import DirtyContact, IntervalRollup
from contactpunt.kpis.tests.helpers import arrive, call
from contactpunt.ops import periodic
from contactpunt.ops.redelivery import redeliver_announcements
from contactpunt.people.models import Department, Role, Team, User

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)


def _leg_rows() -> list[tuple[Any, ...]]:
    rows = IntervalRollup.objects.filter(level=LEG).values_list("start", "queue_id", "team_id", "offered", "answered")
    return sorted(rows, key=lambda r: (r[0], r[1], r[2] or 0))


def test_a_failed_refresh_keeps_every_mark(phone_queue: Queue, agent: User, capture: Any, monkeypatch: Any) -> None:
    with capture(execute=True):
        call(phone_queue, START, wait=10, talk=60, agent=agent)
    assert DirtyContact.objects.count() == 1

    def broken(first: dt.date, last: dt.date) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dayparts, "rebuild", broken)
    with pytest.raises(RuntimeError):
        rollups.refresh()
    assert DirtyContact.objects.count() == 1  # the old code had deleted and committed them before rebuilding
    # An interval swapped in before the failure holds what the events say (each day is computed first and swapped
    # in a short transaction of its own, so replies are not kept waiting); the marks stay, so the days come next.
    assert _leg_rows() in ([], [(START, phone_queue.pk, agent.team_id, 1, 1)])
    monkeypatch.undo()
    assert rollups.refresh() == 1
    assert not DirtyContact.objects.exists()
    assert _leg_rows() == [(START, phone_queue.pk, agent.team_id, 1, 1)]


def test_a_mark_written_during_a_rebuild_survives_it(phone_queue: Queue, agent: User, capture: Any) -> None:
    with capture(execute=True):
        first = call(phone_queue, START, wait=10, talk=60, agent=agent)
    (read,) = DirtyContact.objects.values_list("version", flat=True)  # each of the call's events raised it
    original = rollups.rebuild
    raised: list[int] = []

    def rebuild_while_an_event_arrives(start: dt.datetime, end: dt.datetime, *, days: bool = True) -> int:
        written = original(start, end, days=days)
        if not raised:  # an event of the same contact is recorded while the rebuild runs
            dirty_marks.mark_dirty([Message(Announcement.CONTACT_EVENT_RECORDED, {"contact_id": first.pk})])
            raised.append(first.pk)
        return written

    rollups.rebuild = rebuild_while_an_event_arrives
    try:
        rollups.refresh()
    finally:
        rollups.rebuild = original
    assert list(DirtyContact.objects.values_list("contact_id", "version")) == [(first.pk, read + 1)]
    rollups.refresh()
    assert not DirtyContact.objects.exists()


def test_a_change_of_team_marks_the_agents_contacts_and_moves_their_figures(
    phone_queue: Queue, agent: User, department: Department, capture: Any
) -> None:
    with capture(execute=True):
        handled = call(phone_queue, START, wait=10, talk=60, agent=agent)
        call(phone_queue, START + dt.timedelta(minutes=20), wait=3)  # abandoned: no agent, not marked
    rollups.refresh()
    old_team = agent.team_id
    assert _leg_rows() == [
        (START, phone_queue.pk, old_team, 1, 1),
        (START + dt.timedelta(minutes=15), phone_queue.pk, None, 1, 0),
    ]
    south = Team.objects.create(name="Team Zuid", department=department)
    with capture(execute=True):
        agent.team = south
        agent.save()
    assert list(DirtyContact.objects.values_list("contact_id", flat=True)) == [handled.pk]
    with capture(execute=True):
        agent.save()  # saved without a change of team: nothing more
        agent.save(update_fields=["last_login"])
    assert DirtyContact.objects.count() == 1
    rollups.refresh()
    assert _leg_rows() == [
        (START, phone_queue.pk, south.pk, 1, 1),
        (START + dt.timedelta(minutes=15), phone_queue.pk, None, 1, 0),
    ]


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.mark.parametrize("page", ["today", "manager", "spoc", "webcare", "wallboard", "export_csv"])
def test_a_dashboard_read_writes_nothing_and_shows_fresh_figures(
    page: str, phone_queue: Queue, agent: User, team_lead: User, capture: Any
) -> None:
    afternoon = dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.UTC)
    with time_machine.travel(afternoon, tick=False):
        with capture(execute=True):
            call(phone_queue, afternoon - dt.timedelta(hours=3), wait=10, talk=60, agent=agent)
        rollups.refresh()
        with capture(execute=True):  # a late contact two hours back: its interval is dirty until the next refresh
            arrive(phone_queue, afternoon - dt.timedelta(hours=2, minutes=50))
        client = Client()
        client.force_login(team_lead)
        marks = list(DirtyContact.objects.values_list("contact_id", "version"))
        rows = _leg_rows()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"kpis:{page}"))
        assert response.status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
        # Only an export writes: its entry in the audit log (who took which figures out).
        assert len(writes) == (page == "export_csv") and all('"audit_auditentry"' in w for w in writes)
        assert list(DirtyContact.objects.values_list("contact_id", "version")) == marks and marks
        assert _leg_rows() == rows
        if page == "manager":
            offered = sum(r["offered"] for r in response.context["rows"])
            assert offered == 2  # the late contact is counted though its interval was not rebuilt


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def test_a_failed_subscriber_is_recorded_and_retried_with_a_growing_wait(capture: Any) -> None:
    calls: list[list[dict[str, int]]] = []
    failures = [RuntimeError("database is locked"), RuntimeError("still locked")]

    def flaky(messages: Sequence[Message]) -> None:
        if failures:
            raise failures.pop(0)
        calls.append([m.ids for m in messages])

    announcements.subscribe_many(Announcement.CASE_UPDATED, flaky)
    try:
        with capture(execute=True):
            announcements.announce_many(Announcement.CASE_UPDATED, [{"case_id": 7}, {"case_id": 8}])
        (row,) = FailedDelivery.objects.all()
        assert (row.announcement, row.subscriber, row.ids, row.attempts) == (
            "case_updated",
            f"{__name__}.test_a_failed_subscriber_is_recorded_and_retried_with_a_growing_wait.<locals>.flaky",
            [{"case_id": 7}, {"case_id": 8}],
            1,
        )
        assert row.error == "RuntimeError: database is locked"
        now = row.next_attempt_at
        assert retry_failed_deliveries(now=now) == (0, 1)
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at, row.error) == (
            2,
            now + dt.timedelta(minutes=2),
            "RuntimeError: still locked",
        )
        assert retry_failed_deliveries(now=now + dt.timedelta(minutes=1)) == (0, 0)  # not due yet
        assert retry_failed_deliveries(now=now + dt.timedelta(minutes=2)) == (1, 0)
        assert calls == [[{"case_id": 7}, {"case_id": 8}]]
        assert not FailedDelivery.objects.exists()
    finally:
        announcements.unsubscribe(Announcement.CASE_UPDATED, flaky)


def test_a_failed_enqueue_of_message_analysis_is_retried_by_the_periodic_job(
    phone_queue: Queue, capture: Any, monkeypatch: Any
) -> None:
    enqueued: list[list[int]] = []

    class Refused:
        def enqueue(self, contact_ids: list[int]) -> None:
            raise ConnectionError("the task database is unreachable")

    class Accepted:
        def enqueue(self, contact_ids: list[int]) -> None:
            enqueued.append(list(contact_ids))

    monkeypatch.setattr(insights_tasks, "analyse_contacts", Refused())
    with capture(execute=True):
        contact = arrive(phone_queue, START, caller="+31201234567")
    (row,) = FailedDelivery.objects.filter(subscriber__endswith="enqueue_analysis")
    assert [ids["contact_id"] for ids in row.ids] == [contact.pk]
    monkeypatch.setattr(insights_tasks, "analyse_contacts", Accepted())
    assert redeliver_announcements.module_path in {s.name for s in periodic.schedules()}
    with time_machine.travel(row.next_attempt_at, tick=False):
        assert redeliver_announcements.call() == 1
    assert enqueued == [[contact.pk]]
    assert not FailedDelivery.objects.exists()


def test_the_background_work_page_shows_failed_deliveries(capture: Any) -> None:
    admin = make_user("beheer", Role.ADMIN)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)

    def broken(messages: Sequence[Message]) -> None:
        raise RuntimeError("kapot")

    announcements.subscribe_many(Announcement.CASE_RESOLVED, broken)
    try:
        with capture(execute=True):
            announcements.announce_many(Announcement.CASE_RESOLVED, [{"case_id": 1}])
    finally:
        announcements.unsubscribe(Announcement.CASE_RESOLVED, broken)
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    page = client.get("/admin/ops/backgroundwork/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    table = page[page.index('id="failed-deliveries"') :]
    assert "zaak opgelost" in table and "broken" in table and "RuntimeError: kapot" in table
    assert "1 aflevering van meldingen is mislukt" in page
    assert timezone.now() >= FailedDelivery.objects.get().failed_at


def test_a_refresh_in_batches_rebuilds_each_interval_once(
    phone_queue: Queue, agent: User, capture: Any, monkeypatch: Any
) -> None:
    with capture(execute=True):
        call(phone_queue, START, wait=10, talk=60, agent=agent)
        call(phone_queue, START + dt.timedelta(minutes=5), wait=3)
        call(phone_queue, START + dt.timedelta(minutes=20), wait=4, talk=30, agent=agent)
    monkeypatch.setattr(rollups, "REFRESH_BATCH", 1)
    rebuilt: list[dt.datetime] = []
    original = rollups.rebuild

    def counted(start: dt.datetime, end: dt.datetime, *, days: bool = True) -> int:
        rebuilt.append(start)
        return original(start, end, days=days)

    monkeypatch.setattr(rollups, "rebuild", counted)
    assert rollups.refresh() == 2
    assert sorted(rebuilt) == [START, START + dt.timedelta(minutes=15)]  # three batches, two intervals, once each
    assert not DirtyContact.objects.exists()
    totals: dict[dt.datetime, tuple[int, int]] = {}
    for start, _queue, _team, offered, answered in _leg_rows():
        before = totals.get(start, (0, 0))
        totals[start] = (before[0] + offered, before[1] + answered)
    assert totals == {START: (2, 1), START + dt.timedelta(minutes=15): (1, 1)}


def test_a_contacts_dirty_mark_commits_and_rolls_back_with_the_contact(phone_queue: Queue, capture: Any) -> None:
    # The mark is written inside the contact's own transaction: no commit of its own, and no moment where a
    # stored contact has no mark (a crash between two commits would have left its figures stale for good).
    with pytest.raises(RuntimeError), transaction.atomic():
        arrive(phone_queue, START, caller="+31201234567")
        assert DirtyContact.objects.count() == 1  # already there before the commit
        raise RuntimeError("the request failed after the contact")
    assert not DirtyContact.objects.exists()
    with capture(execute=True):
        contact = arrive(phone_queue, START, caller="+31201234567")
    assert list(DirtyContact.objects.values_list("contact_id", flat=True)) == [contact.pk]


def test_a_failing_mark_keeps_the_contact_and_is_retried(phone_queue: Queue, capture: Any, monkeypatch: Any) -> None:
    def broken(messages: Sequence[Message]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")  # a failed statement: PostgreSQL aborts the transaction

    # The subscriber is looked up by name on retry: replace it where the registry holds it.
    monkeypatch.setitem(announcements._within_subscribers, Announcement.CONTACT_RECEIVED, [broken])
    with capture(execute=True):
        contact = arrive(phone_queue, START, caller="+31201234567")
    contact.refresh_from_db()  # stored: the savepoint took the failure, not the contact's transaction
    (row,) = FailedDelivery.objects.filter(subscriber__endswith="broken")
    assert [ids["contact_id"] for ids in row.ids] == [contact.pk]
    monkeypatch.setitem(announcements._within_subscribers, Announcement.CONTACT_RECEIVED, [dirty_marks.mark_dirty])
    row.subscriber = announcements.subscriber_name(dirty_marks.mark_dirty)
    row.save()
    DirtyContact.objects.all().delete()
    assert retry_failed_deliveries(now=row.next_attempt_at) == (1, 0)
    assert list(DirtyContact.objects.values_list("contact_id", flat=True)) == [contact.pk]
