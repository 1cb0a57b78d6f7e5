"""The demo's delivery channel: an agent's reply takes the outbox's real path, queued, sent by the drain (with its
`replied` event) and reported delivered, and nothing leaves the machine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from contactpunt.channels import demo_delivery, senders
from contactpunt.channels.meta.models import DeliveryStatus
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.senders import send_due
from contactpunt.contacts.models import Case, Channel, ContactEvent, EventName, Queue
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.people.models import User
from contactpunt.web.workspace.panels import timeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_senders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the demo's senders on a copy of the registry, which the test's end restores."""
    monkeypatch.setattr(senders, "_SENDERS", dict(senders._SENDERS))
    demo_delivery.install()


def whatsapp(queue: Queue, at: dt.datetime) -> Case:
    received = receive_contact(
        InboundContact(
            source="whatsapp:31612345678",
            queue=queue.code,
            occurred_at=at,
            external_id="wamid.demo1",
            channel=Channel.WHATSAPP,
            identities=(IdentityInput("phone", "0612345678"),),
            text="Mijn pakket is beschadigd aangekomen.",
        )
    )
    assert received.case_id is not None, received.errors
    return Case.objects.get(pk=received.case_id)


def _delivery(case: Case) -> list[tuple[str, str, str]]:
    with translation.override("nl"):
        return [(i.kind, i.delivery, str(i.delivery_label)) for i in timeline(case) if i.direction == "outbound"]


def test_a_demo_whatsapp_reply_goes_from_queued_to_sent_to_delivered(department, agent: User) -> None:
    queue = Queue.objects.create(code="whatsapp", name="WhatsApp", channel=Channel.WHATSAPP, department=department)
    case = whatsapp(queue, timezone.now() - dt.timedelta(minutes=10))
    done = reply(case=case, by=agent, body="Wat vervelend! We sturen een nieuwe.")
    assert _delivery(case) == [("message", "queued", "in wachtrij")]

    assert send_due() == senders.SendResult(1, 0)

    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert (row.state, row.attempts, row.body) == (OutboundState.SENT, 1, "Wat vervelend! We sturen een nieuwe.")
    [status] = DeliveryStatus.objects.all()
    assert (status.status, status.contact_id, status.platform_message_id) == (
        "delivered",
        done.contact.pk,
        f"demo:{done.outbox_ref}",
    )
    assert ContactEvent.objects.filter(case=case, name=EventName.REPLIED).count() == 1
    assert _delivery(case) == [("message", "sent", "afgeleverd")]


def test_a_demo_email_reply_is_delivered_without_a_mail_server(email_queue, agent: User) -> None:
    case = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")
    done = reply(case=case, by=agent, body="Uw bestelling is onderweg.")

    # a repeated send (a stale claim taken up again) reports nothing new
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    demo_delivery.send_demo(row)
    assert send_due() == senders.SendResult(1, 0)

    row.refresh_from_db()
    assert (row.state, row.mailbox_id) == (OutboundState.SENT, None)
    assert list(DeliveryStatus.objects.values_list("status", "contact_id")) == [("delivered", done.contact.pk)]
    assert _delivery(case) == [("message", "sent", "afgeleverd")]


def test_web_chat_keeps_its_real_sender() -> None:
    from contactpunt.channels.webchat.delivery import send_chat

    assert senders.sender_for(Channel.CHAT) is send_chat
    assert {senders.sender_for(c) for c in demo_delivery.DEMO_CHANNELS} == {demo_delivery.send_demo}
