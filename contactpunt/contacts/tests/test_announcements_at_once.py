"""Inside `delivered_at_once` (the demo's one-transaction load) announcements reach subscribers at once, in the
transaction: a failing subscriber is recorded and undoes only its own writes, and a rollback undoes everything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from contactpunt.contacts import announcements
from contactpunt.contacts.announcements import Announcement
from contactpunt.contacts.models import Case, ContactReason, FailedDelivery
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import InboundContact

pytestmark = pytest.mark.django_db


def _call(t0: dt.datetime, ext: str) -> InboundContact:
    return InboundContact(source="pbx", queue="phone-general", occurred_at=t0, external_id=ext)


def test_at_once_subscribers_run_inside_the_transaction_and_a_failing_one_undoes_only_its_own_writes(
    phone_queue, t0, django_capture_on_commit_callbacks
):
    heard: list[tuple[str, bool]] = []

    def listening(message: announcements.Message) -> None:
        heard.append((message.name, transaction.get_connection().in_atomic_block))

    def broken(message: announcements.Message) -> None:
        ContactReason.objects.create(code="half-written", name="Half written")
        raise ValueError("boom")

    announcements.subscribe(Announcement.CONTACT_RECEIVED, broken)
    announcements.subscribe(Announcement.CONTACT_RECEIVED, listening)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            with announcements.delivered_at_once():
                receive_contact(_call(t0, "1"))
            assert heard == [(Announcement.CONTACT_RECEIVED, True)]  # before the commit, inside the transaction
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, broken)
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, listening)

    assert heard == [(Announcement.CONTACT_RECEIVED, True)]  # and not again after it
    assert Case.objects.count() == 1
    assert not ContactReason.objects.filter(code="half-written").exists()  # its savepoint was rolled back
    failure = FailedDelivery.objects.get()
    assert failure.subscriber.endswith("broken") and "boom" in failure.error


def test_at_once_a_rollback_undoes_what_subscribers_wrote(phone_queue, t0):
    def writing(message: announcements.Message) -> None:
        ContactReason.objects.create(code="from-subscriber", name="From a subscriber")

    announcements.subscribe(Announcement.CONTACT_RECEIVED, writing)
    try:
        with pytest.raises(RuntimeError), transaction.atomic(), announcements.delivered_at_once():
            receive_contact(_call(t0, "1"))
            assert ContactReason.objects.filter(code="from-subscriber").exists()
            raise RuntimeError
    finally:
        announcements.unsubscribe(Announcement.CONTACT_RECEIVED, writing)

    assert not ContactReason.objects.filter(code="from-subscriber").exists()
    assert not Case.objects.exists()
