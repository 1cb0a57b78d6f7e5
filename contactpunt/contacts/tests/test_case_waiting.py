"""A case's `waiting_since` and `waiting_count` (what the inbox ranks and counts) stay equal to its contacts that wait,
through every service that adds, answers, ends or moves contacts."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.inbox import InboxFilters, inbox, waiting_contacts
from contactpunt.contacts.models import (
    Case,
    Channel,
    Contact,
    ContactStatus,
    Direction,
    EventName,
    Queue,
    waiting_condition,
)
from contactpunt.contacts.services.bulk_events import ContactEventInput, record_contact_events
from contactpunt.contacts.services.case_actions import mark_no_response_needed
from contactpunt.contacts.services.cases import merge_cases
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.checks import assert_waiting_kept
from contactpunt.contacts.tests.workspace_data import call, mail
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db


def test_mails_wait_until_answered_and_the_oldest_counts(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    first = mail(email_queue, t0, "m1")
    assert (first.waiting_since, first.waiting_count) == (t0, 1)
    later = t0 + dt.timedelta(hours=1)
    again = mail(email_queue, later, "m2", subject=f"Re: {first.token} bestelling")  # the token threads it
    assert again.pk == first.pk
    assert_waiting_kept()
    first.refresh_from_db()
    assert (first.waiting_since, first.waiting_count) == (t0, 2)
    reply(case=first, by=agent, body="We kijken het na.", at=t0 + dt.timedelta(hours=2))
    first.refresh_from_db()
    assert (first.waiting_since, first.waiting_count) == (None, 0)
    assert_waiting_kept()


def test_a_call_stops_waiting_when_answered_and_a_written_contact_when_no_answer_is_needed(
    phone_queue: Queue, email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    ringing = call(phone_queue, t0, "c1")
    assert ringing.waiting_count == 1
    record_contact_event(
        contact=Contact.objects.get(case=ringing), name=EventName.ANSWERED, occurred_at=t0 + dt.timedelta(seconds=30),
        agent=agent,
    )  # fmt: skip
    assert_waiting_kept()
    assert Case.objects.get(pk=ringing.pk).waiting_count == 0
    thanks = mail(email_queue, t0, "m1", sender="ander@example.nl", subject="Dank je wel")
    mark_no_response_needed(case=thanks, by=agent, at=t0 + dt.timedelta(minutes=5))
    assert Case.objects.get(pk=thanks.pk).waiting_count == 0
    assert_waiting_kept()


def test_events_in_bulk_keep_every_case_they_touch(phone_queue: Queue, agent: User, t0: dt.datetime) -> None:
    cases = [call(phone_queue, t0 + dt.timedelta(seconds=i), f"c{i}", number=f"061234567{i}") for i in range(4)]
    contacts = {case.pk: Contact.objects.get(case=case).pk for case in cases}
    record_contact_events(
        [
            ContactEventInput(contacts[cases[0].pk], EventName.ANSWERED, t0 + dt.timedelta(minutes=1), agent.pk),
            ContactEventInput(contacts[cases[1].pk], EventName.ABANDONED, t0 + dt.timedelta(minutes=1)),
        ]
    )
    assert_waiting_kept()
    assert [Case.objects.get(pk=c.pk).waiting_count for c in cases] == [0, 0, 1, 1]


def test_a_merge_moves_what_waits(email_queue: Queue, t0: dt.datetime) -> None:
    source = mail(email_queue, t0, "m1", sender="a@example.nl")
    target = mail(email_queue, t0 + dt.timedelta(hours=1), "m2", sender="b@example.nl")
    merge_cases(source=source, target=target, by=None)
    assert_waiting_kept()
    target.refresh_from_db()
    assert (target.waiting_since, target.waiting_count) == (t0, 2)


def test_the_inbox_counts_and_ranks_from_the_case(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    """The inbox's waiting figure equals the shared definition (`waiting_contacts`), and it ranks by the case's
    oldest waiting contact."""
    older = mail(email_queue, t0, "m1", sender="a@example.nl")
    newer = mail(email_queue, t0 + dt.timedelta(hours=1), "m2", sender="b@example.nl")
    joined = mail(email_queue, t0 + dt.timedelta(hours=2), "m3", sender="a@example.nl", subject=f"Re: {older.token}")
    assert joined.pk == older.pk
    answered = mail(email_queue, t0 - dt.timedelta(hours=1), "m4", sender="c@example.nl")
    reply(case=answered, by=agent, body="Geregeld.", at=t0)
    box = inbox(agent, InboxFilters(), now=t0 + dt.timedelta(hours=3))
    assert box.waiting == waiting_contacts(agent).count() == 3
    assert [row.case.pk for row in box.rows] == [older.pk, newer.pk, answered.pk]
    assert [row.waiting_since for row in box.rows] == [t0, t0 + dt.timedelta(hours=1), None]


def test_a_contact_in_hand_waits_exactly_when_the_database_says_so(email_queue: Queue, t0: dt.datetime) -> None:
    """`Contact.waits` (the batch writer's test on the instances it makes) and `waiting_condition` (the SQL) agree
    on every channel, direction and status."""
    case = mail(email_queue, t0, "m1")
    template = Contact.objects.get(case=case)
    combinations = [
        (channel, direction, status)
        for channel in Channel.values
        for direction in Direction.values
        for status in ContactStatus.values
    ]
    for n, (channel, direction, status) in enumerate(combinations):
        template.pk = None
        template.external_id = f"combo-{n}"
        template.channel, template.direction, template.status = channel, direction, status
        template.save()
    in_sql = set(Contact.objects.filter(waiting_condition(), case=case).values_list("pk", flat=True))
    in_hand = {contact.pk for contact in Contact.objects.filter(case=case) if contact.waits}
    assert in_sql == in_hand
    assert len(in_hand) > len(Channel.values)  # some of every channel wait
