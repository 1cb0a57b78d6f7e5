"""Announcements reach subscribers after commit only; resolving and reopening cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from contactpunt.contacts import announcements
from contactpunt.contacts.announcements import Announcement
from contactpunt.contacts.models import Case, CaseStatus, ContactEvent, EventName
from contactpunt.contacts.services.cases import CaseStateError, reopen_case, resolve_case
from contactpunt.contacts.services.events import current_agent_state, record_agent_state
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import InboundContact

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    messages: list[announcements.Message] = []
    for name in Announcement:
        announcements.subscribe(name, messages.append)
    yield messages
    for name in Announcement:
        announcements.unsubscribe(name, messages.append)


def call(t0: dt.datetime, ext: str) -> InboundContact:
    return InboundContact(source="pbx", queue="phone-general", occurred_at=t0, external_id=ext)


def test_subscribers_hear_a_contact_only_after_commit(phone_queue, t0, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive_contact(call(t0, "1"))
        assert heard == []  # nothing before the commit

    assert [(m.name, m.ids) for m in heard] == [
        (Announcement.CONTACT_RECEIVED, {"contact_id": result.contact_id, "case_id": result.case_id})
    ]


def test_a_rolled_back_contact_is_never_announced(phone_queue, t0, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        receive_contact(call(t0, "1"))
        raise RuntimeError

    assert heard == []


def test_a_failing_subscriber_does_not_stop_the_others(phone_queue, t0, heard, django_capture_on_commit_callbacks):
    def broken(message: announcements.Message) -> None:
        raise ValueError("boom")

    announcements.subscribe(Announcement.CONTACT_RECEIVED, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            receive_contact(call(t0, "1"))
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, broken)

    assert len(heard) == 1


def test_resolve_and_reopen_log_their_events(phone_queue, agent, t0, heard, django_capture_on_commit_callbacks):
    case = Case.objects.get(pk=receive_contact(call(t0, "1")).case_id)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_case(case=case, by=agent, occurred_at=t0 + dt.timedelta(minutes=5))
        reopen_case(case=case, by=agent, occurred_at=t0 + dt.timedelta(days=1))

    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.resolved_at) == (CaseStatus.OPEN, 1, None)
    names = list(ContactEvent.objects.filter(case=case).values_list("name", flat=True))
    assert names == [EventName.QUEUED, EventName.RESOLVED, EventName.REOPENED]
    assert [m.name for m in heard][-2:] == [Announcement.CASE_RESOLVED, Announcement.CASE_REOPENED]
    with pytest.raises(CaseStateError):
        reopen_case(case=case, by=agent)


def test_the_agents_state_is_their_latest_event_whatever_the_arrival_order(agent, t0):
    assert current_agent_state(agent) == "offline"
    record_agent_state(agent=agent, state="available", occurred_at=t0 + dt.timedelta(minutes=10))
    record_agent_state(agent=agent, state="break", occurred_at=t0)  # a late event about the past

    assert current_agent_state(agent) == "available"


def test_a_batch_subscriber_hears_a_whole_batch_in_one_call(phone_queue, t0, django_capture_on_commit_callbacks):
    from contactpunt.contacts.services.inbound import receive_contacts

    calls: list[list[int]] = []

    def heard_many(messages) -> None:
        calls.append([m.ids["contact_id"] for m in messages])

    announcements.subscribe_many(Announcement.CONTACT_RECEIVED, heard_many)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            results = receive_contacts([call(t0, str(i)) for i in range(5)])
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, heard_many)

    assert calls == [[r.contact_id for r in results]]
