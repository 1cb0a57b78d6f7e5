"""Invitations sent: once, when due, on the contact's channel (e-mail when that channel cannot carry the link), in
the customer's language, with a link that opens the survey and stores nothing; and read back when they went out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client

from contactpunt.channels import demo_delivery, senders
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.customers.models import Customer, Identity
from contactpunt.feedback.models import Answer, Invitation, Medium, SurveyOptOut, Undeliverable
from contactpunt.feedback.services.delivery import send_due_invitations
from contactpunt.feedback.services.invitations import decide_invitations
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def _due(invitation: Invitation) -> dt.datetime:
    invitation.refresh_from_db()
    return invitation.send_at + MINUTE


def test_an_email_invitation_is_sent_once_with_a_link_that_opens_the_survey(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    invitation, _token = invited(email_queue, agent, t0, "m1", sender="sanne@example.nl")
    assert send_due_invitations(invitation.send_at - MINUTE).total_sent == 0  # not yet
    now = _due(invitation)
    report = send_due_invitations(now)
    assert report.sent == {Medium.EMAIL: 1}
    [row] = OutboundMessage.objects.exclude(pk__in=_replies(invitation.case))
    invitation.refresh_from_db()
    assert (invitation.sent_at, invitation.outbound_ref, invitation.medium) == (now, row.message_id, Medium.EMAIL)
    assert (row.channel, row.to, row.state) == (Channel.EMAIL, "sanne@example.nl", OutboundState.QUEUED)
    assert row.subject.startswith("Hoe hebben we je geholpen?") and invitation.case.token in row.subject
    assert row.body.startswith("Hallo Sanne de Vries,") and "Waar blijft mijn bestelling?" in row.body
    link = next(word for word in row.body.split() if "/feedback/s/" in word)
    assert send_due_invitations(now + MINUTE).total_sent == 0  # once
    assert OutboundMessage.objects.filter(body__contains=link).count() == 1

    with time_machine.travel(now + MINUTE, tick=False):  # the customer opens it a minute later
        page = Client().get(urlsplit(link).path)
    assert page.status_code == 200 and b"<form" in page.content
    assert not Answer.objects.exists()  # opening the link (a link scanner) stores no rating


def _answered(
    queue: Queue, channel: str, identity: IdentityInput, agent: User, at: dt.datetime, *, text: str
) -> Invitation:
    """A message on `channel` answered by `agent`, the case resolved, and its customer's invitation."""
    received = receive_contact(
        InboundContact(
            source=f"test-{channel}",
            queue=queue.code,
            occurred_at=at,
            external_id=f"{channel}-1",
            channel=channel,
            identities=(identity,),
            text=text,
        )
    )
    case = Case.objects.get(pk=received.case_id)
    reply(case=case, by=agent, body="Het is geregeld.", at=at + MINUTE)
    resolve_case(case=case, by=agent, occurred_at=at + 2 * MINUTE)
    [decision] = decide_invitations([case.pk])
    return Invitation.objects.get(pk=decision.invitation_id)


def _replies(case: Case) -> list[int]:
    """The outbox rows of the agents' replies on the case (made before any invitation was sent)."""
    return list(OutboundMessage.objects.filter(case=case, subject__startswith="Re:").values_list("pk", flat=True))


def test_nothing_is_sent_after_the_link_expired(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    invitation, _token = invited(email_queue, agent, t0, "m2")
    assert send_due_invitations(invitation.expires_at + MINUTE).total_sent == 0
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.outbound_ref == ""


def test_a_customer_who_opted_out_or_was_erased_since_the_decision_gets_nothing(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    first, _ = invited(email_queue, agent, t0, "o1", sender="een@example.nl")
    second, _ = invited(email_queue, agent, t0, "o2", sender="twee@example.nl")
    SurveyOptOut.objects.create(customer_id=first.customer_id)
    Customer.objects.filter(pk=second.customer_id).update(erased_at=t0)
    before = OutboundMessage.objects.count()
    report = send_due_invitations(max(_due(first), _due(second)))
    assert report.undeliverable == {Undeliverable.OPTED_OUT: 1, Undeliverable.ERASED: 1} and report.sent == {}
    assert OutboundMessage.objects.count() == before
    assert set(Invitation.objects.values_list("undeliverable", flat=True)) == {"opted_out", "erased"}


def test_a_medium_without_an_outbox_falls_back_to_email_and_else_is_undeliverable(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    with_address, _ = invited(email_queue, agent, t0, "s1", sender="drie@example.nl")
    without, _ = invited(email_queue, agent, t0, "s2", sender="vier@example.nl")
    Invitation.objects.update(medium=Medium.SMS, contact=None)  # as for a phone contact: there is no SMS outbox
    Identity.objects.filter(customer_id=without.customer_id).delete()
    report = send_due_invitations(max(_due(with_address), _due(without)))
    assert report.sent == {Medium.EMAIL: 1} and report.undeliverable == {Undeliverable.NO_ADDRESS: 1}
    with_address.refresh_from_db()
    assert with_address.medium == Medium.EMAIL
    assert OutboundMessage.objects.get(message_id=with_address.outbound_ref).to == "drie@example.nl"


def test_whatsapp_gets_a_short_message_to_the_number_in_english_for_an_english_customer(
    department, agent: User, t0: dt.datetime
) -> None:
    queue = Queue.objects.create(code="whatsapp", name="WhatsApp", channel=Channel.WHATSAPP, department=department)
    identity = IdentityInput("phone", "0612345678")
    invitation = _answered(queue, Channel.WHATSAPP, identity, agent, t0, text="My parcel arrived damaged.")
    Invitation.objects.filter(pk=invitation.pk).update(language="en")
    contact = invitation.contact
    assert contact is not None
    report = send_due_invitations(_due(invitation))
    assert report.sent == {Medium.WHATSAPP: 1}
    invitation.refresh_from_db()
    row = OutboundMessage.objects.get(message_id=invitation.outbound_ref)
    assert (row.channel, row.to) == (Channel.WHATSAPP, contact.sender)
    assert row.body.startswith("Thank you for contacting us. How did we help you?") and "/feedback/s/" in row.body
    assert "\n" not in row.body  # one short line


def test_the_time_the_outbox_sent_it_is_recorded_as_delivered(
    email_queue: Queue, agent: User, t0: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(senders, "_SENDERS", dict(senders._SENDERS))
    demo_delivery.install()  # the demo's sender records instead of sending (no SMTP server in this test)
    invitation, _ = invited(email_queue, agent, t0, "d1")
    now = _due(invitation)
    send_due_invitations(now)
    senders.send_due()  # the outbox drains on its own clock
    row = OutboundMessage.objects.get(message_id=Invitation.objects.get(pk=invitation.pk).outbound_ref)
    assert row.state == OutboundState.SENT
    report = send_due_invitations(now + 2 * MINUTE)
    invitation.refresh_from_db()
    assert report.delivered == 1 and invitation.delivered_at == row.sent_at
    assert send_due_invitations(now + 3 * MINUTE).delivered == 0


def test_a_chat_without_a_conversation_to_write_in_is_asked_by_email(department, agent: User, t0: dt.datetime) -> None:
    queue = Queue.objects.create(code="chat", name="Chat", channel=Channel.CHAT, department=department)
    identity = IdentityInput("email", "vijf@example.nl")
    invitation = _answered(queue, Channel.CHAT, identity, agent, t0, text="Kan ik mijn kaart nog aanpassen?")
    assert invitation.medium == Medium.CHAT
    assert send_due_invitations(_due(invitation)).sent == {Medium.EMAIL: 1}
    invitation.refresh_from_db()
    assert OutboundMessage.objects.get(message_id=invitation.outbound_ref).to == "vijf@example.nl"


def test_an_invitation_whose_moment_passed_days_ago_is_not_sent(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    invitation, _ = invited(email_queue, agent, t0, "late1")
    report = send_due_invitations(_due(invitation) + dt.timedelta(days=3))  # e.g. after an outage
    assert report.undeliverable == {Undeliverable.TOO_LATE: 1} and report.sent == {}
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.undeliverable == Undeliverable.TOO_LATE
