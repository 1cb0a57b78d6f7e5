"""A contact for which no queue fits is never refused: it lands in its channel's fallback queue, flagged."""

from __future__ import annotations

from django.utils import translation

from contactpunt.contacts.models import Channel, Contact, FallbackReason, Queue
from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
from contactpunt.contacts.services.queues import ensure_queue, fallback_queue, fallback_summary
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome
from contactpunt.people.models import User


def _mail(t0, queue: str, external_id: str, channel: str = Channel.EMAIL) -> InboundContact:
    return InboundContact(
        source="mailbox",
        queue=queue,
        occurred_at=t0,
        external_id=external_id,
        channel=channel,
        identities=(IdentityInput("email", f"{external_id}@example.nl"),),
        subject="Waar blijft mijn bestelling?",
        text="Ik wacht al een week.",
    )


def test_an_unknown_queue_lands_in_the_channels_fallback_queue_flagged(db, t0):
    received = receive_contact(_mail(t0, "bestaat-niet", "m1"))

    assert received.outcome == Outcome.CREATED
    contact = Contact.objects.select_related("queue", "case__queue").get(pk=received.contact_id)
    assert contact.queue.is_fallback and contact.queue.channel == Channel.EMAIL
    assert contact.case.queue == contact.queue
    assert (contact.fallback_reason, contact.asked_queue) == (FallbackReason.UNKNOWN_QUEUE, "bestaat-niet")
    assert contact.legs.get().queue == contact.queue
    assert contact.messages.get().text == "Ik wacht al een week."


def test_one_fallback_queue_per_channel_is_made_once_and_reused(db, t0):
    receive_contacts([_mail(t0, "a", "m1"), _mail(t0, "b", "m2"), _mail(t0, "c", "m3", channel=Channel.WEBFORM)])

    fallbacks = Queue.objects.filter(is_fallback=True).order_by("channel")
    assert [(q.channel, q.contacts.count()) for q in fallbacks] == [(Channel.EMAIL, 2), (Channel.WEBFORM, 1)]
    assert fallback_queue(Channel.EMAIL) == fallbacks[0]


def test_an_inactive_queue_and_a_queue_of_another_channel_fall_back_with_their_reason(email_queue, phone_queue, t0):
    email_queue.is_active = False
    email_queue.save()

    inactive, other_channel = receive_contacts([_mail(t0, "email-general", "m1"), _mail(t0, "phone-general", "m2")])

    reasons = dict(Contact.objects.values_list("external_id", "fallback_reason"))
    assert (inactive.outcome, other_channel.outcome) == (Outcome.CREATED, Outcome.CREATED)
    assert reasons == {"m1": FallbackReason.INACTIVE_QUEUE, "m2": FallbackReason.WRONG_CHANNEL}
    assert not Contact.objects.filter(queue__in=[email_queue, phone_queue]).exists()


def test_a_fitting_queue_is_used_and_nothing_is_flagged(email_queue, t0):
    received = receive_contact(_mail(t0, "email-general", "m1"))

    contact = Contact.objects.get(pk=received.contact_id)
    assert (contact.queue_id, contact.fallback_reason, contact.asked_queue) == (email_queue.pk, "", "")
    assert not Queue.objects.filter(is_fallback=True).exists()


def test_a_strict_caller_is_told_which_queue_is_wrong(db, t0):
    received = receive_contact(InboundContact(source="api", queue="nope", occurred_at=t0, strict_queue=True))

    assert received.outcome == Outcome.REJECTED
    assert [(e.field, e.code) for e in received.errors] == [("queue", "unknown_queue")]
    assert not Queue.objects.exists()


def test_a_resent_contact_in_the_fallback_is_stored_once(db, t0):
    first = receive_contact(_mail(t0, "weg", "m1"))
    again = receive_contact(_mail(t0, "weg", "m1"))

    assert (first.outcome, again.outcome, again.contact_id) == (Outcome.CREATED, Outcome.DUPLICATE, first.contact_id)
    assert Contact.objects.count() == 1


def test_the_admin_summary_names_the_reason_and_the_queue_asked_for(db, t0):
    receive_contacts([_mail(t0, "chat-general", "m1"), _mail(t0, "chat-general", "m2"), _mail(t0, "x", "m3")])

    summary = {(row.asked_queue, row.reason, row.contacts) for row in fallback_summary()}
    assert summary == {("chat-general", FallbackReason.UNKNOWN_QUEUE, 2), ("x", FallbackReason.UNKNOWN_QUEUE, 1)}


def test_ensure_queue_creates_a_missing_queue_once(db):
    first, created = ensure_queue(code="support", name="support", channel=Channel.EMAIL)
    again, created_again = ensure_queue(code="support", name="other", channel=Channel.PHONE)

    assert (created, created_again, again.pk, again.channel) == (True, False, first.pk, Channel.EMAIL)
    assert not first.is_fallback


def test_a_written_fallback_queue_has_a_response_norm_and_a_realtime_one_none(db):
    assert (fallback_queue(Channel.EMAIL).response_norm_s, fallback_queue(Channel.CHAT).response_norm_s) == (
        8 * 3600,
        None,
    )


def test_the_admin_front_page_warns_about_contacts_in_a_fallback_queue(db, t0, client):
    admin_user = User.objects.create_superuser("beheer", password="geheim-en-lang-genoeg")
    client.force_login(admin_user)
    assert "fallback-notice" not in client.get("/admin/").content.decode()

    receive_contacts([_mail(t0, "chat-general", "m1"), _mail(t0, "chat-general", "m2")])
    with translation.override("nl"):
        page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    notice = page[page.index('id="fallback-notice"') :]
    assert "<code>chat-general</code>" in notice
    assert "Contacten in een terugvalwachtrij" in notice
    assert "<td>2</td>" in notice
