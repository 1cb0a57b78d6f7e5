"""IMAP IDLE as an option of the poller, against the real dovecot of test_mail_servers."""

from __future__ import annotations

import threading
import time

from contactpunt.channels.email.imap import poll_mailbox
from contactpunt.channels.models import InboundMail, Mailbox
from contactpunt.channels.tests.test_mail_servers import _deliver, _mail, dovecot  # noqa: F401 (the fixture)


def test_idle_takes_in_a_message_that_arrives_while_the_connection_waits(email_queue, dovecot) -> None:  # noqa: F811
    port, maildir, owner = dovecot
    mailbox = Mailbox.objects.create(
        name="Idle", address="idle@shop.example", queue=email_queue, imap_host="127.0.0.1", imap_port=port,
        imap_ssl=False, imap_user="support", imap_password="geheim",
    )  # fmt: skip
    assert poll_mailbox(mailbox).error == ""  # past whatever earlier tests left in the folder
    later = threading.Timer(1.0, _deliver, args=(maildir, "idle-1.eml", _mail("idle1@example.nl"), owner))
    later.start()
    started = time.monotonic()
    result = poll_mailbox(mailbox, idle_for=4.0)
    later.join()
    assert result.error == ""
    assert [r.external_id for r in result.results] == ["idle1@example.nl"]
    assert 4.0 <= time.monotonic() - started < 10
    assert InboundMail.objects.filter(external_id="idle1@example.nl").exists()
    # Without IDLE the same poll returns at once.
    started = time.monotonic()
    assert poll_mailbox(mailbox).fetched == 0
    assert time.monotonic() - started < 2
