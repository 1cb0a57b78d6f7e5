"""A first load holds its dirty marks to the end (`dirty_marks.held_to_the_end`, the demo's history): the same
contacts are marked as marking them batch by batch would, once each, when the block ends; nothing before, nothing
after an error, and nothing held outside the block."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from contactpunt.contacts.announcements import Announcement, Message
from contactpunt.contacts.models import Contact, Queue
from contactpunt.kpis import dirty_marks
from contactpunt.kpis.models import DirtyContact
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


def _marks() -> dict[int, int]:
    return dict(DirtyContact.objects.values_list("contact_id", "version"))


def _calls(queue: Queue, agent: User, first: int, count: int) -> set[int]:
    return {call(queue, START + dt.timedelta(minutes=first + n), wait=5, talk=60, agent=agent).pk for n in range(count)}


def test_held_marks_are_the_marks_written_once_at_the_end(
    phone_queue: Queue, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        marked_at_once = _calls(phone_queue, agent, 0, 2)
    assert set(_marks()) == marked_at_once
    assert all(version > 0 for version in _marks().values())  # each event raised its contact's mark again
    DirtyContact.objects.all().delete()

    with dirty_marks.held_to_the_end():
        with django_capture_on_commit_callbacks(execute=True):
            held = _calls(phone_queue, agent, 10, 3)
        assert _marks() == {}  # held
    assert _marks() == dict.fromkeys(held, 0)  # each once

    after = _calls(phone_queue, agent, 20, 1)  # outside the block: marked at once, as ever
    assert set(_marks()) == held | after


def test_a_held_case_marks_its_contacts_at_the_end(phone_queue: Queue, agent: User) -> None:
    contact = call(phone_queue, START, wait=5, talk=60, agent=agent)
    DirtyContact.objects.all().delete()
    assert contact.case_id is not None
    with dirty_marks.held_to_the_end():
        dirty_marks.mark_cases_dirty([Message(Announcement.CASE_UPDATED, {"case_id": contact.case_id})])
        assert _marks() == {}
    assert _marks() == dict.fromkeys(Contact.objects.filter(case_id=contact.case_id).values_list("pk", flat=True), 0)


def test_an_error_in_the_block_writes_no_marks(phone_queue: Queue, agent: User) -> None:
    with pytest.raises(RuntimeError), dirty_marks.held_to_the_end():
        call(phone_queue, START, wait=5, talk=60, agent=agent)
        raise RuntimeError("the load failed")
    assert _marks() == {}
    call(phone_queue, START + dt.timedelta(minutes=1), wait=5, talk=60, agent=agent)
    assert len(_marks()) == 1  # the block is over: marked at once
