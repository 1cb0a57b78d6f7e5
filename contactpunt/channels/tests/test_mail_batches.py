"""Email intake in batches: one receive_contacts call per batch, every rule of the single path kept, and a batch
that fails falls back to one message at a time, so nothing is held up or lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.db import IntegrityError
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBoxUnencrypted

from contactpunt.channels.email import imap, intake
from contactpunt.channels.email.imap import poll_mailbox
from contactpunt.channels.email.intake import RawMail, receive_mails, retry_failed_mail
from contactpunt.channels.models import InboundMail, Mailbox, MailState
from contactpunt.channels.tests.test_mail_intake import mail
from contactpunt.channels.tests.test_mail_servers import _deliver, dovecot  # noqa: F401 (the fixture)
from contactpunt.contacts.models import Case, Contact, ContactEvent
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import InboundContact, Received

SOURCE = "email:support@shop.example"


@pytest.fixture
def mailbox(email_queue):
    return Mailbox.objects.create(name="Support", address="support@shop.example", queue=email_queue)


@pytest.fixture
def calls(monkeypatch) -> list[list[str]]:
    """The subjects of every `receive_contacts` call the intake makes (the real service still runs)."""
    seen: list[list[str]] = []

    def spy(contacts: Sequence[InboundContact]) -> list[Received]:
        seen.append([c.subject for c in contacts])
        return receive_contacts(contacts)

    monkeypatch.setattr(intake, "receive_contacts", spy)
    return seen


def test_a_batch_is_one_call_and_keeps_threading_repeats_and_automatic_mail(mailbox, calls):
    first = mail("b1@example.nl", subject="Bestelling 1")
    batch = [
        first,
        mail("b2@example.nl", subject="Re: Bestelling 1", extra="In-Reply-To: <b1@example.nl>\r\n"),
        mail("b3@example.nl", subject="Nog een vraag", extra="References: <x@elders> <b1@example.nl>\r\n"),
        mail(
            "b4@example.nl", subject="Afwezig", extra="Auto-Submitted: auto-replied\r\nIn-Reply-To: <b1@example.nl>\r\n"
        ),
        first,  # the same message twice in one batch
        mail("b1@example.nl", subject="Bestelling 1", body="Een ander bericht met hetzelfde Message-ID."),
        mail("b5@example.nl", subject="Ander onderwerp", sender="iemand@example.org"),
    ]
    with_events = ContactEvent.objects.count()
    results = receive_mails([RawMail(raw) for raw in batch], queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    assert calls == [["Bestelling 1", "Re: Bestelling 1", "Nog een vraag", "Bestelling 1", "Ander onderwerp"]]
    assert [(r.state, r.duplicate) for r in results] == [
        (MailState.IMPORTED, False),
        (MailState.JOINED, False),  # a reply to a message earlier in the same batch, by In-Reply-To
        (MailState.JOINED, False),  # ... and by References
        (MailState.AUTO_REPLY, False),
        (MailState.IMPORTED, True),
        (MailState.IMPORTED, False),  # another message under the same Message-ID is kept as well
        (MailState.IMPORTED, False),
    ]
    case_id = results[0].case_id
    assert results[1].case_id == results[2].case_id == results[3].case_id == results[4].case_id == case_id
    assert results[4].contact_id == results[0].contact_id
    assert results[3].contact_id is None  # an automatic reply is linked to its case, never a contact
    assert results[5].external_id.startswith("b1@example.nl#sha256:")
    assert len({results[5].case_id, results[6].case_id, case_id}) == 3
    assert (InboundMail.objects.count(), Contact.objects.count(), Case.objects.count()) == (6, 5, 3)
    rows = {row.pk: row for row in InboundMail.objects.all()}
    for result, raw in zip(results, batch, strict=True):
        row = rows[result.mail_id]
        assert (row.state, row.contact_id, row.case_id, row.attempts, row.next_retry_at) == (
            result.state,
            result.contact_id,
            result.case_id,
            1,
            None,
        )
        assert bytes(row.raw) == raw
    assert ContactEvent.objects.count() - with_events == 5  # one queued event per contact
    # Delivered again, as a whole batch: nothing changes and nothing is received.
    again = receive_mails([RawMail(raw) for raw in batch], queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    assert all(r.duplicate for r in again)
    assert [r.mail_id for r in again] == [r.mail_id for r in results]
    assert len(calls) == 1
    assert (InboundMail.objects.count(), Contact.objects.count()) == (6, 5)


def test_a_batch_that_fails_is_processed_one_at_a_time_and_the_bad_message_retried(mailbox, monkeypatch):
    calls: list[list[str]] = []

    def fails_on_kapot(contacts: Sequence[InboundContact]) -> list[Received]:
        calls.append([c.subject for c in contacts])
        if any("kapot" in c.subject for c in contacts):
            raise RuntimeError("value out of range")
        return receive_contacts(contacts)

    monkeypatch.setattr(intake, "receive_contacts", fails_on_kapot)
    batch = [
        mail("f1@example.nl", subject="Eerste"),
        mail("f2@example.nl", subject="Dit bericht is kapot"),
        mail("f3@example.nl", subject="Re: Eerste", extra="In-Reply-To: <f1@example.nl>\r\n"),
        mail("f4@example.nl", subject="Ook kapot", extra="In-Reply-To: <f2@example.nl>\r\n"),
    ]
    results = receive_mails([RawMail(raw) for raw in batch], queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    assert calls == [
        ["Eerste", "Dit bericht is kapot", "Re: Eerste", "Ook kapot"],
        ["Eerste"],
        ["Dit bericht is kapot"],
        ["Re: Eerste"],
        ["Ook kapot"],
    ]
    assert [(r.state, r.will_retry, r.reason) for r in results] == [
        (MailState.IMPORTED, False, ""),
        (MailState.FAILED, True, "RuntimeError: value out of range"),
        (MailState.JOINED, False, ""),
        (MailState.FAILED, True, "RuntimeError: value out of range"),
    ]
    assert results[2].case_id == results[0].case_id
    assert Contact.objects.count() == 2  # the failed batch left nothing behind
    failed = InboundMail.objects.get(external_id="f2@example.nl")
    assert (failed.state, failed.attempts, failed.subject, failed.sender) == (
        MailState.FAILED,
        1,
        "Dit bericht is kapot",
        "klant@example.nl",
    )
    assert bytes(failed.raw) == batch[1]
    # The processing is mended; the retry job takes both failed messages as one batch, in their order, so the
    # reply to the first of them joins its case.
    calls.clear()

    def mended(contacts: Sequence[InboundContact]) -> list[Received]:
        calls.append([c.subject for c in contacts])
        return receive_contacts(contacts)

    monkeypatch.setattr(intake, "receive_contacts", mended)
    later = InboundMail.objects.exclude(next_retry_at=None).latest("next_retry_at").next_retry_at
    assert later is not None
    retried = retry_failed_mail(now=later + dt.timedelta(seconds=1))
    assert [(r.external_id, r.state) for r in retried] == [
        ("f2@example.nl", MailState.IMPORTED),
        ("f4@example.nl", MailState.JOINED),
    ]
    assert calls == [["Dit bericht is kapot", "Ook kapot"]]
    assert retried[1].case_id == retried[0].case_id
    assert InboundMail.objects.get(external_id="f4@example.nl").attempts == 2
    assert Contact.objects.count() == 4


def test_a_stored_message_whose_processing_never_finished_is_taken_up_later(mailbox, monkeypatch):
    def worker_dies(mails: Sequence[InboundMail]) -> list[intake.MailResult]:
        raise RuntimeError("killed")

    monkeypatch.setattr(intake, "process_mails", worker_dies)
    before = timezone.now()
    with pytest.raises(RuntimeError):
        receive_mails([RawMail(mail("s1@example.nl"))], queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    monkeypatch.undo()
    row = InboundMail.objects.get()
    assert row.state == MailState.PENDING
    assert row.next_retry_at is not None and row.next_retry_at >= before + intake.STALE_AFTER
    # A repeat delivery does not process it (it may still be in another worker's hands) ...
    assert receive_mails([RawMail(mail("s1@example.nl"))], queue=mailbox.queue, source=SOURCE)[0].duplicate
    assert retry_failed_mail(now=before + dt.timedelta(minutes=1)) == []
    # ... the retry job does, once it is stale.
    [result] = retry_failed_mail(now=row.next_retry_at + dt.timedelta(seconds=1))
    assert (result.state, result.will_retry) == (MailState.IMPORTED, False)
    stored = InboundMail.objects.values_list("state", "next_retry_at", "attempts").get()
    assert stored == (MailState.IMPORTED, None, 1)
    assert Contact.objects.count() == 1


# -- IMAP ---------------------------------------------------------------------------------------


def _imap_mailbox(queue, port: int) -> Mailbox:
    return Mailbox.objects.create(
        name="Batches", address="batches@shop.example", queue=queue, imap_host="127.0.0.1", imap_port=port,
        imap_ssl=False, imap_user="support", imap_password="geheim",
    )  # fmt: skip


def _seen(port: int) -> dict[str, bool]:
    """Message-ID -> whether the server has it flagged seen."""
    with MailBoxUnencrypted("127.0.0.1", port=port).login("support", "geheim") as box:
        return {
            message.headers["message-id"][0].strip("<>"): "\\Seen" in message.flags
            for message in box.fetch(AND(all=True), mark_seen=False, headers_only=True)
        }


def test_polling_takes_a_mailbox_in_batches_and_marks_only_what_was_stored(
    email_queue,
    dovecot,  # noqa: F811
    monkeypatch,
):
    port, maildir, owner = dovecot
    mailbox = _imap_mailbox(email_queue, port)
    assert poll_mailbox(mailbox).error == ""  # past whatever earlier tests left in the folder
    _deliver(maildir, "batch-1.eml", mail("i1@example.nl", subject="Vraag"), owner)
    _deliver(
        maildir,
        "batch-2.eml",
        mail("i2@example.nl", subject="Re: Vraag", extra="In-Reply-To: <i1@example.nl>\r\n"),
        owner,
    )
    _deliver(maildir, "batch-3.eml", mail("i3@example.nl", subject="Los"), owner)
    # Storing fails (the database is down): nothing is marked seen and the high-water mark stays.
    mark = mailbox.imap_last_uid

    def database_down(*args: object, **kwargs: object) -> list[intake.MailResult]:
        raise OSError("database down")

    monkeypatch.setattr(imap, "receive_mails", database_down)
    assert "database down" in poll_mailbox(mailbox).error
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == mark
    seen = _seen(port)
    assert [seen[m] for m in ("i1@example.nl", "i2@example.nl", "i3@example.nl")] == [False, False, False]
    monkeypatch.undo()
    # Back up: two batches of two (one FETCH each); the reply joins its case; all stored, then marked seen.
    monkeypatch.setattr(imap, "BATCH_SIZE", 2)
    fetches: list[list[int]] = []
    real_fetch = imap._fetch_raw

    def counting_fetch(box: BaseMailBox, uids: list[int]) -> dict[int, bytes]:
        fetches.append(uids)
        return real_fetch(box, uids)

    monkeypatch.setattr(imap, "_fetch_raw", counting_fetch)
    result = poll_mailbox(mailbox)
    assert (result.error, result.fetched) == ("", 3)
    assert [len(uids) for uids in fetches] == [2, 1]
    assert [(r.external_id, r.state) for r in result.results] == [
        ("i1@example.nl", MailState.IMPORTED),
        ("i2@example.nl", MailState.JOINED),
        ("i3@example.nl", MailState.IMPORTED),
    ]
    assert result.results[1].case_id == result.results[0].case_id
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == fetches[-1][-1]
    seen = _seen(port)
    assert [seen[m] for m in ("i1@example.nl", "i2@example.nl", "i3@example.nl")] == [True, True, True]
    assert poll_mailbox(mailbox).fetched == 0


def test_a_reply_to_a_mail_with_an_unreadable_sender_joins_it_in_the_same_batch(mailbox, calls):
    batch = [
        mail("u1@example.nl", sender="klant@@kapot", subject="Vraag"),
        mail("u2@example.nl", sender="klant@@kapot", subject="Re: Vraag", extra="In-Reply-To: <u1@example.nl>\r\n"),
    ]
    first, reply = receive_mails([RawMail(raw) for raw in batch], queue=mailbox.queue, source=SOURCE)
    assert len(calls) == 1
    assert (first.state, reply.state, reply.case_id) == (MailState.IMPORTED, MailState.JOINED, first.case_id)
    assert Contact.objects.get(pk=first.contact_id).customer_id is None
    assert InboundMail.objects.get(pk=first.mail_id).problems[-1].startswith("identities[0].value: not an email")


def test_when_the_batch_insert_hits_a_unique_key_the_messages_are_stored_one_at_a_time(mailbox, monkeypatch):
    # Another poller stored one of them between our lookup and our INSERT; the one-at-a-time path then finds its
    # row by the same lookups as a single delivery (exercised in test_mail_intake).
    def racing(rows: list[InboundMail]) -> list[InboundMail]:
        raise IntegrityError("UNIQUE constraint failed: inbound_mail_source_external_id_unique")

    monkeypatch.setattr(InboundMail.objects, "bulk_create", racing)
    batch = [mail("r1@example.nl", subject="Eerste"), mail("r2@example.nl", subject="Tweede")]
    batch.append(batch[0])
    results = receive_mails([RawMail(raw) for raw in batch], queue=mailbox.queue, source=SOURCE, mailbox=mailbox)
    monkeypatch.undo()
    assert [(r.external_id, r.state, r.duplicate) for r in results] == [
        ("r1@example.nl", MailState.IMPORTED, False),
        ("r2@example.nl", MailState.IMPORTED, False),
        ("r1@example.nl", MailState.IMPORTED, True),
    ]
    assert results[2].mail_id == results[0].mail_id
    assert (InboundMail.objects.count(), Contact.objects.count()) == (2, 2)
