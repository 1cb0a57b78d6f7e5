"""The one inbound entry point: identification, threading, idempotency, rejection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    Contact,
    ContactEvent,
    ContactLeg,
    ContactStatus,
    EventName,
    Identification,
    Message,
    Queue,
)
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
from contactpunt.contacts.services.inbound import writes as inbound_writes
from contactpunt.contacts.services.types import (
    AttachmentInput,
    IdentityInput,
    InboundContact,
    Outcome,
    ThreadRef,
)
from contactpunt.customers.models import Customer, Identity

pytestmark = pytest.mark.django_db


def email(t: dt.datetime, sender: str, ext: str, **kwargs: object) -> InboundContact:
    return InboundContact(
        source="mailbox:service",
        queue="email-general",
        occurred_at=t,
        external_id=ext,
        identities=(IdentityInput("email", sender),),
        subject=str(kwargs.pop("subject", "Vraag")),
        text="Waar blijft mijn bestelling?",
        **kwargs,
    )


def call(t: dt.datetime, number: str, ext: str, queue: str = "phone-general") -> InboundContact:
    return InboundContact(
        source="pbx", queue=queue, occurred_at=t, external_id=ext, identities=(IdentityInput("phone", number),)
    )


def test_first_contact_creates_customer_case_contact_leg_message_and_queued_event(email_queue: Queue, t0):
    result = receive_contact(email(t0, "Jan@Example.NL", "m1"))

    assert result.outcome == Outcome.CREATED and result.case_created
    contact = Contact.objects.get()
    assert (contact.pk, contact.case_id, contact.customer_id) == (result.contact_id, result.case_id, result.customer_id)
    assert contact.identification == Identification.NEW
    assert contact.status == ContactStatus.QUEUED
    assert contact.channel == "email" and contact.occurred_at == t0
    assert Identity.objects.get().value == "jan@example.nl"
    case = Case.objects.get()
    assert case.opened_at == t0 and case.status == CaseStatus.OPEN and case.previous_case is None
    leg = ContactLeg.objects.get()
    assert (leg.sequence, leg.queue, leg.queued_at) == (1, email_queue, t0)
    event = ContactEvent.objects.get()
    assert (event.name, event.queue, event.occurred_at, event.leg) == (EventName.QUEUED, email_queue, t0, 1)
    assert Message.objects.get().text == "Waar blijft mijn bestelling?"


def test_resending_the_same_external_id_creates_nothing(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1"))
    counts = [m.objects.count() for m in (Contact, Case, Customer, ContactEvent, Message)]

    again = receive_contact(email(t0 + dt.timedelta(hours=1), "other@example.nl", "m1"))

    assert again.outcome == Outcome.DUPLICATE
    assert (again.contact_id, again.case_id, again.customer_id) == (first.contact_id, first.case_id, first.customer_id)
    assert [m.objects.count() for m in (Contact, Case, Customer, ContactEvent, Message)] == counts


def test_a_repeat_inside_one_batch_is_a_duplicate_of_the_first(email_queue, t0):
    results = receive_contacts([email(t0, "a@example.nl", "x"), email(t0, "a@example.nl", "x")])

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.DUPLICATE]
    assert results[0].contact_id == results[1].contact_id
    assert Contact.objects.count() == 1


def test_the_same_external_id_from_another_source_is_another_contact(email_queue, t0):
    receive_contact(email(t0, "a@example.nl", "x"))
    other = InboundContact(source="mailbox:sales", queue="email-general", occurred_at=t0, external_id="x")

    assert receive_contact(other).outcome == Outcome.CREATED


def test_known_customer_is_recognised_across_spellings(phone_queue, t0):
    first = receive_contact(call(t0, "020 123 4567", "c1"))
    second = receive_contact(call(t0 + dt.timedelta(days=1), "+31 20 1234567", "c2"))
    third = receive_contact(call(t0 + dt.timedelta(days=2), "0031201234567", "c3"))

    assert first.customer_id == second.customer_id == third.customer_id
    assert Identity.objects.get().value == "+31201234567"
    assert Contact.objects.get(pk=second.contact_id).identification == Identification.KNOWN


def test_a_new_case_links_to_the_customers_previous_case(phone_queue, t0):
    first = receive_contact(call(t0, "0612345678", "c1"))
    second = receive_contact(call(t0 + dt.timedelta(hours=2), "0612345678", "c2"))

    assert second.case_created and second.case_id != first.case_id
    assert Case.objects.get(pk=second.case_id).previous_case_id == first.case_id


@pytest.mark.parametrize("number", ["anonymous", "0", "", "Onbekend", "+000"])
def test_withheld_or_placeholder_callers_get_no_customer(phone_queue, t0, number):
    a = receive_contact(call(t0, number, "c1"))
    b = receive_contact(call(t0, number, "c2"))

    assert a.customer_id is None and b.customer_id is None
    assert a.case_id != b.case_id  # never one case (or customer) for all unknown callers
    assert Customer.objects.count() == 0
    assert Contact.objects.get(pk=a.contact_id).identification == Identification.UNKNOWN


def test_identities_of_two_customers_are_ambiguous_and_merge_nothing(phone_queue, email_queue, t0):
    by_phone = receive_contact(call(t0, "0612345678", "c1"))
    by_email = receive_contact(email(t0, "piet@example.nl", "m1"))
    both = InboundContact(
        source="api",
        queue="phone-general",
        occurred_at=t0,
        external_id="both",
        identities=(IdentityInput("phone", "0612345678"), IdentityInput("email", "piet@example.nl")),
    )

    result = receive_contact(both)

    assert result.customer_id is None
    assert Contact.objects.get(pk=result.contact_id).identification == Identification.AMBIGUOUS
    assert Customer.objects.count() == 2
    assert Identity.objects.get(value="+31612345678").customer_id == by_phone.customer_id
    assert Identity.objects.get(value="piet@example.nl").customer_id == by_email.customer_id


def test_a_shared_number_identifies_nobody(phone_queue, t0):
    Identity.objects.create(kind="phone", value="+31201112222", is_shared=True)

    result = receive_contact(call(t0, "020 111 2222", "c1"))

    assert result.customer_id is None
    assert Contact.objects.get().identification == Identification.AMBIGUOUS
    assert Customer.objects.count() == 0


def test_a_new_identity_beside_a_known_one_joins_that_customer(phone_queue, t0):
    known = receive_contact(call(t0, "0612345678", "c1"))
    both = InboundContact(
        source="api",
        queue="phone-general",
        occurred_at=t0,
        external_id="both",
        identities=(IdentityInput("phone", "06-12345678"), IdentityInput("email", "NEW@x.nl")),
    )

    result = receive_contact(both)

    assert result.customer_id == known.customer_id
    assert Identity.objects.get(value="new@x.nl").customer_id == known.customer_id


def test_email_reply_joins_the_case_by_in_reply_to_and_by_references(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1", thread=ThreadRef(message_id="<a@mail>")))
    reply = receive_contact(
        email(
            t0 + dt.timedelta(hours=1),
            "jan@example.nl",
            "m2",
            thread=ThreadRef(message_id="<b@mail>", in_reply_to="<a@mail>"),
        )
    )
    later = receive_contact(
        email(
            t0 + dt.timedelta(hours=2),
            "other@example.nl",
            "m3",
            thread=ThreadRef(message_id="<c@mail>", references=("<a@mail>", "<b@mail>")),
        )
    )

    assert reply.case_id == first.case_id and not reply.case_created
    assert later.case_id == first.case_id
    assert Case.objects.count() == 1
    assert Case.objects.get().last_inbound_at == t0 + dt.timedelta(hours=2)


def test_case_token_in_the_subject_joins_the_case(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1"))
    token = Case.objects.get(pk=first.case_id).token

    reply = receive_contact(email(t0 + dt.timedelta(hours=1), "jan@example.nl", "m2", subject=f"RE: {token} Vraag"))

    assert reply.case_id == first.case_id


def test_case_token_never_pulls_another_known_customer_into_a_case(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1"))
    receive_contact(email(t0, "kees@example.nl", "m2"))
    token = Case.objects.get(pk=first.case_id).token

    intruder = receive_contact(email(t0 + dt.timedelta(hours=1), "kees@example.nl", "m3", subject=f"{token}"))

    assert intruder.case_id != first.case_id


def test_reply_within_the_reopen_window_reopens_the_resolved_case(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1", thread=ThreadRef(message_id="<a@mail>")))
    resolve_case(case=Case.objects.get(pk=first.case_id), by=None, occurred_at=t0 + dt.timedelta(hours=1))

    reply = receive_contact(
        email(t0 + dt.timedelta(days=3), "jan@example.nl", "m2", thread=ThreadRef(in_reply_to="<a@mail>"))
    )

    assert reply.case_id == first.case_id and reply.case_reopened
    case = Case.objects.get(pk=first.case_id)
    assert (case.status, case.reopen_count, case.resolved_at) == (CaseStatus.OPEN, 1, None)
    assert ContactEvent.objects.filter(case=case, name=EventName.REOPENED).count() == 1


@override_settings(REOPEN_WINDOW_DAYS=7)
def test_reply_after_the_reopen_window_opens_a_linked_new_case(email_queue, t0):
    first = receive_contact(email(t0, "jan@example.nl", "m1", thread=ThreadRef(message_id="<a@mail>")))
    resolve_case(case=Case.objects.get(pk=first.case_id), by=None, occurred_at=t0 + dt.timedelta(hours=1))

    reply = receive_contact(
        email(t0 + dt.timedelta(days=8), "jan@example.nl", "m2", thread=ThreadRef(in_reply_to="<a@mail>"))
    )

    assert reply.case_created and reply.case_id != first.case_id
    assert Case.objects.get(pk=reply.case_id).previous_case_id == first.case_id
    assert Case.objects.get(pk=first.case_id).status == CaseStatus.RESOLVED


def test_chat_messages_of_one_conversation_share_a_case_per_source(department, t0):
    Queue.objects.create(code="chat", name="Chat", channel="chat")

    def chat(ext: str, source: str = "widget") -> InboundContact:
        return InboundContact(
            source=source,
            queue="chat",
            occurred_at=t0,
            external_id=ext,
            thread=ThreadRef(conversation_id="s-1"),
            text="hallo",
        )

    a, b, c = receive_contacts([chat("1"), chat("2"), chat("3", source="other-widget")])

    assert a.case_id == b.case_id != c.case_id


def test_a_call_that_ended_in_the_voice_menu_was_never_queued(phone_queue, t0):
    ivr = InboundContact(
        source="pbx", queue="phone-general", occurred_at=t0, external_id="v1", offered=False, ivr_path=("1", "3")
    )

    result = receive_contact(ivr)

    contact = Contact.objects.get(pk=result.contact_id)
    assert contact.status == ContactStatus.IVR_ONLY and contact.ivr_path == ["1", "3"]
    assert not ContactEvent.objects.exists() and not ContactLeg.objects.exists()


def test_bad_input_is_rejected_with_the_fields_named_and_nothing_written(phone_queue, t0):
    bad = [
        InboundContact(source="pbx", queue="nope", occurred_at=t0, external_id="1", strict_queue=True),
        InboundContact(source="pbx", queue="phone-general", occurred_at=t0.replace(tzinfo=None), external_id="2"),
        InboundContact(
            source="pbx",
            queue="phone-general",
            occurred_at=t0,
            external_id="3",
            identities=(IdentityInput("email", "not-an-address"),),
        ),
        InboundContact(
            source="pbx", queue="phone-general", occurred_at=t0, external_id="4", channel="email", strict_queue=True
        ),
        InboundContact(source="pbx", queue="phone-general", occurred_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)),
    ]

    results = receive_contacts(bad)

    assert all(r.outcome == Outcome.REJECTED for r in results)
    assert [(e.field, e.code) for r in results for e in r.errors] == [
        ("queue", "unknown_queue"),
        ("occurred_at", "naive_datetime"),
        ("identities[0].value", "invalid_identity"),
        ("channel", "channel_mismatch"),
        ("occurred_at", "in_future"),
    ]
    assert not Contact.objects.exists() and not Customer.objects.exists()


def test_a_batch_mixing_good_and_bad_items_keeps_the_good_ones(phone_queue, t0):
    results = receive_contacts([call(t0, "0612345678", "a"), call(t0, "0612345678", "b", queue="nope")])

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.REJECTED]
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("rows_from", [100, 2], ids=["instances", "tuples"])
def test_batch_and_single_calls_write_identical_rows(email_queue, phone_queue, t0, monkeypatch, rows_from):
    # With rows_from 2 the batch writes its legs, messages and events as tuples, the singles as instances.
    monkeypatch.setattr(inbound_writes, "ROWS_FROM", rows_from)
    items = [
        email(t0, "a@example.nl", "m1", thread=ThreadRef(message_id="<1@x>")),
        email(t0 + dt.timedelta(minutes=1), "a@example.nl", "m2", thread=ThreadRef(in_reply_to="<1@x>")),
        call(t0 + dt.timedelta(minutes=2), "0612345678", "c1"),
        call(t0 + dt.timedelta(minutes=3), "0612345678", "c2"),
        call(t0 + dt.timedelta(minutes=4), "anonymous", "c3"),
    ]

    def snapshot() -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for contact in Contact.objects.order_by("occurred_at"):
            case = contact.case
            rows.append(
                (
                    contact.external_id,
                    contact.identification,
                    contact.status,
                    case.opened_at,
                    case.previous_case.contacts.first().external_id if case.previous_case else None,
                    case.contacts.order_by("occurred_at").first().external_id,
                    contact.customer.identities.count() if contact.customer else None,
                    tuple(contact.events.values_list("name", flat=True)),
                    tuple(
                        contact.events.values_list(
                            "leg", "queue_id", "agent_id", "occurred_at", "source", "external_id", "data"
                        )
                    ),
                    set(contact.events.values_list("case_id", flat=True))
                    | set(Message.objects.filter(contact=contact).values_list("case_id", flat=True))
                    == {contact.case_id},
                    tuple(
                        contact.legs.values_list(
                            "sequence", "queue_id", "agent_id", "queued_at", "answered_at", "ended_at"
                        )
                    ),
                    tuple(
                        Message.objects.filter(contact=contact).values_list(
                            "direction",
                            "author_id",
                            "is_internal",
                            "subject",
                            "text",
                            "raw",
                            "raw_content_type",
                            "created_at",
                        )
                    ),
                )
            )
        return rows

    for item in items:
        receive_contact(item)
    one_by_one = snapshot()
    for model in (ContactEvent, ContactLeg, Message, Contact, Case, Identity, Customer):
        model.objects.all().delete()

    receive_contacts(items)

    assert snapshot() == one_by_one


def test_attachments_are_stored_with_the_message(email_queue, t0, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    item = email(t0, "jan@example.nl", "m1", attachments=(AttachmentInput("bon.pdf", "application/pdf", b"%PDF-1"),))

    receive_contact(item)

    attachment = Message.objects.get().attachments.get()
    assert (attachment.filename, attachment.size) == ("bon.pdf", 6)
    assert attachment.file.read() == b"%PDF-1"
    assert "." not in attachment.file.name.rsplit("/", 1)[1]  # a neutral name: not even the customer's extension


def test_attachments_with_hostile_names_are_stored_safely(email_queue, t0, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_BLOCKED_EXTENSIONS = []  # the names here, not the types (web/tests/test_attachments.py)
    names = ["../../etc/passwd", "x" * 300 + ".txt", "\u202egnp.exe", "con.", ""]
    item = email(
        t0,
        "jan@example.nl",
        "m1",
        attachments=tuple(AttachmentInput(name, "application/octet-stream", b"x") for name in names),
    )

    receive_contact(item)

    stored = list(Message.objects.get().attachments.order_by("id"))
    assert [a.filename for a in stored] == ["../../etc/passwd", "x" * 255, "\u202egnp.exe", "con.", "attachment"]
    for attachment in stored:
        assert attachment.file.name.startswith("attachments/") and ".." not in attachment.file.name
        assert attachment.file.read() == b"x"
