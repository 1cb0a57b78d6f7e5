"""Email intake: raw bytes kept, contacts received and threaded, automatic mail never answered, failures retried."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.channels.email import intake
from contactpunt.channels.email.intake import receive_mail, retry_delay, retry_failed_mail
from contactpunt.channels.models import InboundMail, Mailbox, MailState, OutboundMessage
from contactpunt.contacts.models import Case, CaseStatus, Contact, ContactEvent, Message
from contactpunt.customers.models import Identity
from contactpunt.ops import periodic

SOURCE = "email:support@shop.example"


def mail(
    message_id: str,
    *,
    subject: str = "Waar blijft mijn bestelling?",
    sender: str = "Klant <klant@example.nl>",
    body: str = "Ik wacht al een week.",
    extra: str = "",
    date: str = "Mon, 02 Mar 2026 10:00:00 +0100",
) -> bytes:
    headers = f"From: {sender}\r\nTo: support@shop.example\r\nSubject: {subject}\r\nDate: {date}\r\n"
    headers += f"Message-ID: <{message_id}>\r\n{extra}"
    return f"{headers}\r\n{body}\r\n".encode()


@pytest.fixture
def mailbox(email_queue):
    return Mailbox.objects.create(name="Support", address="support@shop.example", queue=email_queue)


def test_a_new_mail_opens_a_case_and_keeps_the_raw_bytes(mailbox):
    raw = mail("a1@example.nl", body="Ik wacht al een week.\r\n\r\n-- \r\nKlant")
    result = receive_mail(raw=raw, queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    assert result.state == MailState.IMPORTED
    assert not result.duplicate
    row = InboundMail.objects.get()
    assert bytes(row.raw) == raw
    assert (row.external_id, row.sender, row.attempts, row.error) == ("a1@example.nl", "klant@example.nl", 1, "")
    contact = Contact.objects.get()
    assert (contact.pk, contact.case_id) == (result.contact_id, result.case_id) == (row.contact_id, row.case_id)
    assert (contact.source, contact.external_id, contact.channel) == (SOURCE, "a1@example.nl", "email")
    assert contact.occurred_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    message = Message.objects.get()
    assert message.text == "Ik wacht al een week."
    assert bytes(message.raw) == raw
    assert Identity.objects.get().value == "klant@example.nl"


def test_a_repeat_delivery_changes_nothing(mailbox):
    raw = mail("a1@example.nl")
    receive_mail(raw=raw, queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    # Delivered again with one more Received header: the same message.
    again = receive_mail(raw=b"Received: from relay\r\n" + raw, queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    assert again.duplicate
    assert again.state == MailState.IMPORTED
    assert (InboundMail.objects.count(), Contact.objects.count(), Case.objects.count()) == (1, 1, 1)


def test_the_same_message_id_on_another_message_is_kept_too(mailbox):
    receive_mail(raw=mail("same@example.nl", body="eerste"), queue=mailbox.queue, source=SOURCE)
    second = receive_mail(raw=mail("same@example.nl", body="tweede"), queue=mailbox.queue, source=SOURCE)
    assert not second.duplicate
    assert second.external_id.startswith("same@example.nl#sha256:")
    assert InboundMail.objects.count() == 2
    assert sorted(Message.objects.values_list("text", flat=True)) == ["eerste", "tweede"]


@pytest.mark.parametrize(
    "other",
    [
        {"sender": "Iemand Anders <ander@example.nl>"},
        {"subject": "Een andere vraag"},
        {"date": "Tue, 03 Mar 2026 11:00:00 +0100"},
    ],
)
def test_the_same_message_id_and_body_from_another_sender_or_subject_is_another_message(mailbox, other):
    receive_mail(raw=mail("same@example.nl"), queue=mailbox.queue, source=SOURCE)
    second = receive_mail(raw=mail("same@example.nl", **other), queue=mailbox.queue, source=SOURCE)
    assert not second.duplicate
    assert (InboundMail.objects.count(), Contact.objects.count()) == (2, 2)


def test_a_reply_joins_the_case_by_in_reply_to_and_by_case_token(mailbox):
    first = receive_mail(raw=mail("a1@example.nl"), queue=mailbox.queue, source=SOURCE)
    reply = receive_mail(
        raw=mail("a2@example.nl", subject="Re: bestelling", extra="In-Reply-To: <a1@example.nl>\r\n"),
        queue=mailbox.queue,
        source=SOURCE,
    )
    token = receive_mail(
        raw=mail("a3@example.nl", subject=f"Nog iets [CP-{first.case_id}]"),
        queue=mailbox.queue,
        source=SOURCE,
    )
    assert (reply.state, token.state) == (MailState.JOINED, MailState.JOINED)
    assert reply.case_id == token.case_id == first.case_id
    assert Case.objects.count() == 1


def test_an_auto_reply_is_linked_to_its_case_without_a_contact_or_reopening(mailbox):
    first = receive_mail(raw=mail("a1@example.nl"), queue=mailbox.queue, source=SOURCE)
    Case.objects.filter(pk=first.case_id).update(status=CaseStatus.RESOLVED, resolved_at=dt.datetime.now(dt.UTC))
    result = receive_mail(
        raw=mail(
            "ooo@example.nl",
            subject="Afwezig: Re: bestelling",
            extra="Auto-Submitted: auto-replied\r\nIn-Reply-To: <a1@example.nl>\r\n",
        ),
        queue=mailbox.queue,
        source=SOURCE,
    )
    assert result.state == MailState.AUTO_REPLY
    assert result.reason == "Auto-Submitted: auto-replied"
    assert (result.case_id, result.contact_id) == (first.case_id, None)
    assert Contact.objects.count() == 1
    assert Case.objects.get().status == CaseStatus.RESOLVED
    assert not ContactEvent.objects.filter(name="reopened").exists()


def test_a_bounce_finds_the_case_of_our_returned_reply(mailbox):
    first = receive_mail(raw=mail("a1@example.nl"), queue=mailbox.queue, source=SOURCE)
    OutboundMessage.objects.create(case_id=first.case_id, to="klant@example.nl", body="x", message_id="r1@shop.example")
    bounce = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@shop.example\r\nSubject: Undelivered Mail\r\n"
        b"Message-ID: <b1@mx.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; klant@example.nl\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <r1@shop.example>\r\nSubject: Re: x\r\n"
        b"--B--\r\n"
    )
    result = receive_mail(raw=bounce, queue=mailbox.queue, source=SOURCE)
    assert result.state == MailState.BOUNCE
    assert result.case_id == first.case_id
    assert Contact.objects.count() == 1


def test_our_own_mail_coming_back_is_a_loop(mailbox):
    result = receive_mail(
        raw=mail("loop@shop.example", extra="X-Contactpunt-Loop: support@shop.example\r\n"),
        queue=mailbox.queue,
        source=SOURCE,
    )
    assert (result.state, result.reason, Contact.objects.count()) == (MailState.LOOP, "X-Contactpunt-Loop", 0)


def test_an_unreadable_message_is_kept_and_not_retried(mailbox):
    result = receive_mail(raw=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 outlook", queue=mailbox.queue, source=SOURCE)
    assert result.state == MailState.FAILED
    assert not result.will_retry
    assert result.reason.startswith("unreadable: an Outlook .msg file")
    assert bytes(InboundMail.objects.get().raw).startswith(b"\xd0\xcf")


def test_a_bad_sender_address_still_reaches_an_agent(mailbox):
    result = receive_mail(raw=mail("x1@example.nl", sender="klant@@kapot"), queue=mailbox.queue, source=SOURCE)
    assert result.state == MailState.IMPORTED
    assert Contact.objects.get().customer_id is None
    assert InboundMail.objects.get().problems[-1].startswith("identities[0].value: not an email address")


def test_a_failure_keeps_the_mail_and_the_retry_task_takes_it_later(mailbox, monkeypatch):
    calls = []

    def broken(contacts):
        calls.append(len(contacts))
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake, "receive_contacts", broken)
    result = receive_mail(raw=mail("a1@example.nl"), queue=mailbox.queue, source=SOURCE)
    row = InboundMail.objects.get()
    assert (result.state, result.will_retry, row.attempts, row.error) == (
        MailState.FAILED,
        True,
        1,
        "RuntimeError: database hiccup",
    )
    assert Contact.objects.count() == 0
    assert retry_failed_mail(now=row.received_at) == []  # not due yet
    monkeypatch.undo()
    later = row.next_retry_at + dt.timedelta(seconds=1)
    [retried] = retry_failed_mail(now=later)
    row.refresh_from_db()
    assert (retried.state, row.state, row.attempts, row.error, row.next_retry_at) == (
        MailState.IMPORTED,
        MailState.IMPORTED,
        2,
        "",
        None,
    )
    assert Contact.objects.count() == 1
    assert retry_failed_mail(now=later) == []


def test_retry_delays_grow_and_stop_at_six_hours():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 9, 10)] == [1, 2, 4, 256, 360]


def test_the_worker_polls_retries_and_sends_periodically():
    names = {schedule.name: schedule.every for schedule in periodic.schedules()}
    assert names["contactpunt.channels.tasks.poll_mailboxes"] == dt.timedelta(minutes=1)
    assert names["contactpunt.channels.tasks.retry_mail"] == dt.timedelta(minutes=1)
    assert names["contactpunt.channels.tasks.send_outbox"] == dt.timedelta(seconds=30)
