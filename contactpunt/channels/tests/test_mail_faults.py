"""Mail servers that go away and come back, on loopback only: the outbox retries with a growing wait and sends each
reply exactly once when the SMTP server (aiosmtpd) is back; IMAP polling (Debian's dovecot) records the outage on the
mailbox and, once the server is back, takes in every message that arrived meanwhile exactly once."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from contactpunt.channels.email.imap import poll_mailbox
from contactpunt.channels.email.outbox import queue_email_reply
from contactpunt.channels.models import InboundMail, Mailbox, OutboundMessage, OutboundState
from contactpunt.channels.senders import send_due
from contactpunt.channels.tests.dovecot import DOVECOT, free_port, start_dovecot
from contactpunt.channels.tests.test_mail_servers import Collect, _deliver, _mail, _require_dovecot
from contactpunt.contacts.models import Case, Contact, Queue

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return True
    return False


def test_smtp_down_then_up_retries_with_backoff_and_sends_every_reply_once(email_queue: Queue, t0: Any) -> None:
    port = free_port()
    mailbox = Mailbox.objects.create(
        name="Support", address="support@shop.example", queue=email_queue, smtp_host="127.0.0.1", smtp_port=port
    )
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_starttls=False)
    mailbox.refresh_from_db()
    case = Case.objects.create(queue=email_queue, channel="email", opened_at=t0, subject="Factuur")
    replies = [
        queue_email_reply(case=case, body=f"Antwoord {n}", to="klant@example.nl", mailbox=mailbox) for n in range(3)
    ]
    assert _refused(port)  # nothing listens: the server is down
    now = timezone.now()
    tried = 0
    first = send_due(now=now)
    tried += first.failed
    assert (first.sent, first.failed) == (0, 3)
    waits = {(r.next_attempt_at - now) for r in OutboundMessage.objects.all()}
    assert waits == {2 * MINUTE}
    assert send_due(now=now + MINUTE).failed == 0  # not due yet: no hammering of a server that is down
    second = send_due(now=now + 2 * MINUTE)
    tried += second.failed
    assert second.failed == 3
    assert {(r.next_attempt_at - now) for r in OutboundMessage.objects.all()} == {6 * MINUTE}  # 2 + 4: it grows
    assert {r.attempts for r in OutboundMessage.objects.all()} == {2}

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = send_due(now=now + 6 * MINUTE)
        assert (up.sent, up.failed) == (3, 0)
        assert send_due(now=now + 60 * MINUTE).sent == 0
    finally:
        controller.stop()
    ids = [message_from_bytes(content)["Message-ID"] for _from, _to, content in handler.messages]
    assert sorted(ids) == sorted(f"<{r.message_id}>" for r in replies)  # each reply once: none lost, none doubled
    assert {(r.state, r.attempts, r.error) for r in OutboundMessage.objects.all()} == {(OutboundState.SENT, 3, "")}
    print(f"SMTP down/up: {tried} failed attempts, {len(ids)} replies sent, 0 lost, 0 doubled")


def _wait_until(check: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_imap_down_then_up_takes_in_every_message_once(email_queue: Queue) -> None:
    _require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="cp-dovecot-"))
    server = start_dovecot(root, user="support", password="geheim")
    try:
        mailbox = Mailbox.objects.create(
            name="Support",
            address="support@shop.example",
            queue=email_queue,
            imap_host="127.0.0.1",
            imap_port=server.port,
            imap_ssl=False,
            imap_user="support",
            imap_password="geheim",
        )
        _deliver(server.maildir, "1.eml", _mail("f1@example.nl"), server.owner)
        assert poll_mailbox(mailbox).fetched == 1

        server.stop()
        _wait_until(lambda: _refused(server.port))
        # Mail keeps arriving in the mailbox while the IMAP server is down.
        _deliver(server.maildir, "2.eml", _mail("f2@example.nl", subject="Levering"), server.owner)
        _deliver(server.maildir, "3.eml", _mail("f3@example.nl", subject="Retour"), server.owner)
        down = poll_mailbox(mailbox)
        assert down.fetched == 0 and "refused" in down.error.lower()
        mailbox.refresh_from_db()
        assert mailbox.last_poll_error == down.error
        assert poll_mailbox(mailbox).fetched == 0  # again: never raises, nothing half-taken

        subprocess.run([str(DOVECOT), "-c", str(server.config)], check=True)  # noqa: S603 - our own config
        _wait_until(lambda: not _refused(server.port))
        up = poll_mailbox(mailbox)
        assert (up.error, up.fetched) == ("", 2)
        assert poll_mailbox(mailbox).fetched == 0
        mailbox.refresh_from_db()
        assert mailbox.last_poll_error == ""
        ids = sorted(InboundMail.objects.values_list("external_id", flat=True))
        assert ids == ["f1@example.nl", "f2@example.nl", "f3@example.nl"]
        assert Contact.objects.count() == 3  # each once
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
