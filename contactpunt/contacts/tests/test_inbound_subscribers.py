"""The in-transaction subscribers of a received contact run without a savepoint each; one that fails makes the batch
run again guarded, so the contact is still stored, the subscriber's half-done writes are undone and its failure is
recorded for the retry job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts import announcements
from contactpunt.contacts.announcements import Announcement
from contactpunt.contacts.models import Contact, ContactReason, FailedDelivery
from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome
from contactpunt.kpis.models import DirtyContact

pytestmark = pytest.mark.django_db


def _call(t0: dt.datetime, ext: str) -> InboundContact:
    return InboundContact(
        source="pbx",
        queue="phone-general",
        occurred_at=t0,
        external_id=ext,
        identities=(IdentityInput("phone", "0612345678"),),
    )


def test_in_transaction_subscribers_take_no_savepoint_of_their_own(phone_queue, t0):
    heard: list[list[int]] = []

    def listening(messages: Sequence[announcements.Message]) -> None:
        heard.append([m.ids["contact_id"] for m in messages])

    announcements.subscribe_within(Announcement.CONTACT_RECEIVED, listening)
    try:
        with CaptureQueriesContext(connection) as queries:
            received = receive_contacts([_call(t0, "1"), _call(t0, "2")])
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, listening)

    assert heard == [[r.contact_id for r in received]]
    assert set(DirtyContact.objects.values_list("contact_id", flat=True)) == {r.contact_id for r in received}
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the batch's own (a test runs inside a transaction), none per subscriber


def test_a_failing_subscriber_keeps_the_contact_undoes_its_own_writes_and_is_recorded(
    phone_queue, t0, django_capture_on_commit_callbacks
):
    calls: list[int] = []

    def broken(messages: Sequence[announcements.Message]) -> None:
        calls.append(len(messages))
        ContactReason.objects.create(code="half-written", name="Half written")
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")  # PostgreSQL aborts the transaction here

    announcements.subscribe_within(Announcement.CONTACT_RECEIVED, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            received = receive_contact(_call(t0, "1"))
            repeat = receive_contact(_call(t0, "1"))
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, broken)

    assert received.outcome == Outcome.CREATED
    assert repeat.outcome == Outcome.DUPLICATE and repeat.contact_id == received.contact_id
    assert list(Contact.objects.values_list("pk", flat=True)) == [received.contact_id]
    assert calls == [1, 1]  # unguarded, then once more in its savepoint; a duplicate announces nothing
    assert not ContactReason.objects.filter(code="half-written").exists()
    assert list(DirtyContact.objects.values_list("contact_id", flat=True)) == [received.contact_id]
    failure = FailedDelivery.objects.get()
    assert failure.subscriber.endswith("broken")
    assert failure.ids == [{"contact_id": received.contact_id, "case_id": received.case_id}]
