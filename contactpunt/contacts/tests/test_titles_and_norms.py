"""A case without a subject is named by its channel and customer; a written queue without a norm of its own
has its channel's default, so the inbox shows a due time; an open case with nothing waiting is "answered"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contactpunt.contacts.inbox import InboxFilters, SlaRisk, inbox
from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.contacts.models.cases import label_customers
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.customers.models import Customer


def test_a_case_is_called_by_its_subject_else_by_its_channel_and_customer() -> None:
    anna = Customer(display_name="Anna de Vries")
    with translation.override("nl"):
        assert Case(subject="Adres wijzigen", channel=Channel.EMAIL, customer=anna).title == "Adres wijzigen"
        assert Case(subject="", channel=Channel.CHAT, customer=anna).title == "Chat met Anna de Vries"
        assert Case(subject="", channel=Channel.PHONE, customer=anna).title == "Gesprek met Anna de Vries"
        assert Case(subject="", channel=Channel.WHATSAPP).title == "WhatsApp-bericht van een onbekende klant"


@pytest.mark.django_db
def test_a_call_is_called_by_the_customers_name_else_by_their_number_written_the_dutch_way() -> None:
    """The number as the product writes it elsewhere (formats.phone): "06 10050198", not "+31610050198"."""
    from contactpunt.customers.models import Identity

    named = Customer.objects.create(display_name="Anna de Vries")
    numbered = Customer.objects.create(display_name="+31610050198")  # a caller id stored as the name
    nameless = Customer.objects.create()
    Identity.objects.create(kind="email", value="x@example.nl", customer=nameless)
    Identity.objects.create(kind="phone", value="+31610050199", customer=nameless)
    abroad = Customer.objects.create()
    Identity.objects.create(kind="whatsapp", value="+32470123456", customer=abroad)
    with translation.override("nl"):
        assert Case(subject="", channel=Channel.PHONE, customer=named).title == "Gesprek met Anna de Vries"
        assert Case(subject="", channel=Channel.PHONE, customer=numbered).title == "Gesprek met 06 10050198"
        assert Case(subject="", channel=Channel.PHONE, customer=nameless).title == "Gesprek met 06 10050199"
        assert (
            Case(subject="", channel=Channel.WHATSAPP, customer=abroad).title == "WhatsApp-bericht van +32 470 12 34 56"
        )
        assert Case(subject="", channel=Channel.PHONE, customer=Customer.objects.create()).title == (
            "Gesprek met een onbekende klant"
        )
        assert Case(subject="", channel=Channel.PHONE).title == "Gesprek met een onbekende klant"  # withheld
    # A list labels them all in one query, with the same titles.
    both = Customer.objects.create()
    Identity.objects.create(kind="whatsapp", value="+31610050100", customer=both)
    Identity.objects.create(kind="phone", value="+31610050101", customer=both)
    people = [named, numbered, nameless, abroad, both, Customer.objects.create()]
    one_by_one = [Case(subject="", channel=Channel.PHONE, customer=Customer.objects.get(pk=c.pk)).title for c in people]
    listed = [Case(subject="", channel=Channel.PHONE, customer=Customer.objects.get(pk=c.pk)) for c in people]
    with CaptureQueriesContext(connection) as queries:
        label_customers(listed)
        titles = [case.title for case in listed]
    assert titles == one_by_one and len(queries) == 1
    assert titles[4].endswith(" 06 10050101")  # a phone number before a WhatsApp number, as one by one


@pytest.mark.parametrize(
    ("channel", "own", "expected"),
    [
        (Channel.EMAIL, None, 8 * 3600),
        (Channel.WEBFORM, None, 8 * 3600),
        (Channel.WHATSAPP, None, 3600),
        (Channel.SOCIAL, None, 3600),
        (Channel.EMAIL, 1800, 1800),
        (Channel.PHONE, None, None),  # phone and chat: the service-level threshold is the norm
        (Channel.CHAT, None, None),
    ],
)
def test_a_written_queue_without_a_norm_has_its_channels_default(channel: str, own: int | None, expected: int | None):
    assert Queue(channel=channel, response_norm_s=own).effective_response_norm_s == expected


@pytest.mark.django_db
def test_the_inbox_shows_a_due_time_without_a_queue_norm_and_answered_cases_apart(agent, email_queue) -> None:
    email_queue.response_norm_s = None
    email_queue.save(update_fields=["response_norm_s"])
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
    waiting = mail(email_queue, now - dt.timedelta(hours=1), "m1")
    answered = mail(email_queue, now - dt.timedelta(hours=2), "m2", sender="b@example.nl", subject="Factuur")
    reply(case=answered, by=agent, body="Hierbij je factuur.", at=now - dt.timedelta(minutes=30))

    rows = {row.case.pk: row for row in inbox(agent, InboxFilters(), now=now).rows}
    assert rows[waiting.pk].due is not None and rows[waiting.pk].risk != SlaRisk.NONE
    assert (rows[answered.pk].due, rows[answered.pk].risk) == (None, SlaRisk.ANSWERED)
