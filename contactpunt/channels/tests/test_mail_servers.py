"""Against real servers on loopback: aiosmtpd for the SMTP outbox, Debian's dovecot for IMAP polling."""

from __future__ import annotations

import os
import shutil
import tempfile
from email import message_from_bytes
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from contactpunt.channels.email.imap import poll_mailbox
from contactpunt.channels.email.intake import receive_mail
from contactpunt.channels.email.outbox import queue_email_reply, send_due
from contactpunt.channels.email.parsing import MailKind, parse_email
from contactpunt.channels.models import InboundMail, Mailbox, MailState, OutboundMessage, OutboundState
from contactpunt.channels.tests.dovecot import DOVECOT, free_port, start_dovecot
from contactpunt.contacts.models import Case, Contact


class Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _mail(message_id: str, subject: str = "Factuur klopt niet") -> bytes:
    return (
        f"From: Klant <klant@example.nl>\r\nTo: support@shop.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\nReferences: <older@example.nl>\r\n\r\nHet bedrag is te hoog.\r\n"
    ).encode()


def test_a_reply_is_sent_with_threading_and_loop_headers(email_queue, smtp_server):
    controller, handler = smtp_server
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@shop.example",
        queue=email_queue,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_starttls=False,
    )
    received = receive_mail(raw=_mail("q1@example.nl"), queue=email_queue, source=mailbox.source, mailbox=mailbox)
    case = Case.objects.get(pk=received.case_id)
    outbound = queue_email_reply(case=case, body="We passen het aan.")
    assert outbound.subject == f"Re: Factuur klopt niet [CP-{case.pk}]"
    assert (outbound.to, outbound.mailbox_id, outbound.state) == ("klant@example.nl", mailbox.pk, OutboundState.QUEUED)
    result = send_due()
    assert (result.sent, result.failed) == (1, 0)
    assert send_due().sent == 0  # claimed and sent once
    [(mail_from, rcpt_tos, content)] = handler.messages
    assert (mail_from, rcpt_tos) == ("support@shop.example", ["klant@example.nl"])
    sent: EmailMessage = message_from_bytes(content)
    assert sent["In-Reply-To"] == "<q1@example.nl>"
    assert sent["References"] == "<older@example.nl> <q1@example.nl>"
    assert sent["Message-ID"] == f"<{outbound.message_id}>"
    assert sent["X-Contactpunt-Loop"] == "support@shop.example"
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts, outbound.error) == (OutboundState.SENT, 1, "")
    # Our own reply delivered back into the mailbox is a loop, and the customer's answer to it joins the case.
    assert parse_email(content).kind is MailKind.LOOP
    answer = (
        f"From: klant@example.nl\r\nSubject: Re: {sent['Subject']}\r\nMessage-ID: <q2@example.nl>\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\n\r\nDank!\r\n"
    ).encode()
    joined = receive_mail(raw=answer, queue=email_queue, source=mailbox.source, mailbox=mailbox)
    assert (joined.state, joined.case_id) == (MailState.JOINED, case.pk)


def test_a_refused_connection_is_retried_later(email_queue, t0):
    mailbox = Mailbox.objects.create(
        name="Support", address="support@shop.example", queue=email_queue, smtp_host="127.0.0.1", smtp_port=free_port()
    )
    mailbox.smtp_starttls = False
    mailbox.save()
    case = Case.objects.create(queue=email_queue, channel="email", opened_at=t0, subject="x")
    outbound = queue_email_reply(case=case, body="Hallo", to="klant@example.nl", mailbox=mailbox)
    now = timezone.now()
    assert send_due(now=now).failed == 1
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts) == (OutboundState.QUEUED, 1)
    assert outbound.error.startswith("ConnectionRefusedError")
    assert (outbound.next_attempt_at - now).total_seconds() == 120
    assert send_due(now=now).failed == 0  # not due again yet


# -- IMAP --------------------------------------------------------------------------------------


def _require_dovecot() -> None:
    if not DOVECOT.exists():
        reason = "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def dovecot():
    """A dovecot serving one passwd-file user over plain IMAP on a free loopback port; yields (port, Maildir)."""
    _require_dovecot()
    # Not under pytest's tmp_path: dovecot's own users must be able to reach the files (that tree is 0700).
    root = Path(tempfile.mkdtemp(prefix="cp-dovecot-"))
    server = start_dovecot(root, user="support", password="geheim")
    yield server.port, server.maildir, server.owner
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _deliver(maildir: Path, name: str, raw: bytes, owner) -> None:
    target = maildir / "new" / name
    target.write_bytes(raw)
    if os.getuid() == 0:
        os.chown(target, owner.pw_uid, owner.pw_gid)


def test_polling_fetches_each_new_message_once(email_queue, dovecot):
    port, maildir, owner = dovecot
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@shop.example",
        queue=email_queue,
        imap_host="127.0.0.1",
        imap_port=port,
        imap_ssl=False,
        imap_user="support",
        imap_password="geheim",
    )
    _deliver(maildir, "1.eml", _mail("p1@example.nl"), owner)
    _deliver(maildir, "2.eml", _mail("p2@example.nl", subject="Levering"), owner)
    first = poll_mailbox(mailbox)
    assert (first.error, first.fetched) == ("", 2)
    assert [r.state for r in first.results] == [MailState.IMPORTED, MailState.IMPORTED]
    assert bytes(InboundMail.objects.get(external_id="p1@example.nl").raw) == _mail("p1@example.nl")
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 2
    assert poll_mailbox(mailbox).fetched == 0
    _deliver(maildir, "3.eml", _mail("p3@example.nl", subject="Retour"), owner)
    third = poll_mailbox(mailbox)
    assert [r.external_id for r in third.results] == ["p3@example.nl"]
    assert Contact.objects.count() == 3
    assert OutboundMessage.objects.count() == 0


def test_a_wrong_password_is_reported_on_the_mailbox(email_queue, dovecot):
    port, _maildir, _owner = dovecot
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@shop.example",
        queue=email_queue,
        imap_host="127.0.0.1",
        imap_port=port,
        imap_ssl=False,
        imap_user="support",
        imap_password="fout",
    )
    result = poll_mailbox(mailbox)
    assert result.fetched == 0
    assert "LOGIN" in result.error or "Authentication failed" in result.error
    mailbox.refresh_from_db()
    assert mailbox.last_poll_error == result.error
