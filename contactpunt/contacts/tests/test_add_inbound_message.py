"""A further message in a running contact goes through contacts.services.messages (the web chat's next lines)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.announcements import Announcement, subscribe, unsubscribe
from contactpunt.contacts.models import Case, Contact, Direction, Message, Queue
from contactpunt.contacts.services.messages import add_inbound_message
from contactpunt.contacts.tests.workspace_data import mail

pytestmark = pytest.mark.django_db


def test_the_next_message_joins_the_contact_and_moves_the_case_forward_only(
    email_queue: Queue, t0: dt.datetime, django_capture_on_commit_callbacks
) -> None:
    case = mail(email_queue, t0, "m1")
    contact = Contact.objects.get(case=case)
    heard: list[dict[str, int]] = []

    def listen(message):
        heard.append(message.ids)

    subscribe(Announcement.CASE_UPDATED, listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            later = add_inbound_message(contact=contact, text="Nog een vraag", occurred_at=t0 + dt.timedelta(minutes=5))
            add_inbound_message(contact=contact, text="Te laat bezorgd", occurred_at=t0 + dt.timedelta(minutes=1))
    finally:
        unsubscribe(Announcement.CASE_UPDATED, listen)
    assert (later.case_id, later.contact_id, later.direction) == (case.pk, contact.pk, Direction.INBOUND)
    assert Message.objects.filter(contact=contact).count() == 3
    assert Case.objects.get(pk=case.pk).last_inbound_at == t0 + dt.timedelta(minutes=5)
    assert heard == [{"case_id": case.pk, "contact_id": contact.pk}] * 2
