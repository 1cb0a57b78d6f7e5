"""`contactpunt import-mail`: .eml, mbox and Maildir in; every message accounted for, none lost or crashing."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from contactpunt.channels.email.intake import _content
from contactpunt.channels.email.sources import iter_messages
from contactpunt.channels.models import InboundMail, Mailbox, MailState
from contactpunt.channels.tests.shared_data import require
from contactpunt.contacts.models import Channel, Contact, Queue


def _eml(n: int, extra: str = "") -> bytes:
    return (
        f"From: klant{n}@example.nl\r\nSubject: vraag {n}\r\nMessage-ID: <m{n}@example.nl>\r\n{extra}\r\nTekst {n}\r\n"
    ).encode()


def _run(*args: str) -> Any:
    out = StringIO()
    call_command("import-mail", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_eml_mbox_and_maildir_with_an_exact_report(email_queue, tmp_path):
    (tmp_path / "a-first.eml").write_bytes(_eml(1))  # read first: files are taken in name order
    box = stdlib_mailbox.mbox(tmp_path / "box.mbox")
    box.add(_eml(2, "In-Reply-To: <m1@example.nl>\r\n"))
    box.add(_eml(3, "Precedence: bulk\r\n"))
    box.close()
    maildir = stdlib_mailbox.Maildir(tmp_path / "maildir")
    maildir.add(_eml(4))
    maildir.add(b"")
    report = _run(str(tmp_path), "--queue", email_queue.code)
    assert report["counts"] == {
        "imported": 3,  # the bulk mail too: a contact, flagged
        "joined": 1,
        "auto_reply": 0,
        "bounce": 0,
        "loop": 0,
        "rejected": 1,
        "failed": 0,
        "duplicate": 0,
    }
    assert report["messages"] == 5
    [rejected] = [m for m in report["messages_listed"] if m["outcome"] == "rejected"]
    assert rejected["reason"] == "unreadable: empty message"
    again = _run(str(tmp_path), "--queue", email_queue.code)
    assert again["counts"]["duplicate"] == 5
    assert InboundMail.objects.count() == 5
    assert Contact.objects.count() == 4
    bulk = InboundMail.objects.get(kind_reason="Precedence: bulk")
    assert bulk.contact_id is not None


def test_a_mailbox_or_a_queue_is_required(email_queue, tmp_path):
    (tmp_path / "one.eml").write_bytes(_eml(1))
    with pytest.raises(CommandError, match="there is no mailbox named 'nope'"):
        call_command("import-mail", str(tmp_path), "--mailbox", "nope")
    Mailbox.objects.create(name="Support", address="support@shop.example", queue=email_queue)
    out = StringIO()
    call_command("import-mail", str(tmp_path), "--mailbox", "Support", stdout=out)
    # One, not "1 messages"; the queue by its name and the mailbox by its address, no source code.
    assert "1 bericht van support@shop.example naar wachtrij E-mail algemeen:" in out.getvalue()
    assert "email-general" not in out.getvalue() and "email:" not in out.getvalue()
    assert re.search(r"  nieuwe zaak +1\n", out.getvalue())
    assert "imported" not in out.getvalue()  # the text report is Dutch; the JSON report keeps the codes


def test_every_mail_of_the_shared_corpus_is_kept(email_queue):
    corpus = require("mail")
    report = _run(str(corpus), "--queue", email_queue.code)
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
    messages = [raw for path in files for _key, raw in iter_messages(path)]
    assert report["messages"] == len(messages)
    assert report["unreadable_files"] == []
    counts = report["counts"]
    assert counts["failed"] == 0
    # Every message is a row of its own, or a byte-for-byte repeat (bar headers) of one that is.
    stored = {_content(bytes(raw)) for raw in InboundMail.objects.values_list("raw", flat=True)}
    assert all(_content(raw) in stored for raw in messages)
    assert InboundMail.objects.count() == report["messages"] - counts["duplicate"]
    rejected = sorted(m["file"].split("/mail/")[1] for m in report["messages_listed"] if m["outcome"] == "rejected")
    assert rejected == [
        "cpython/msg_18.txt",  # headers only: no sender, subject or text
        "mikel-mail/spec/fixtures/emails/sample_output_multipart",  # empty
        "spamscope-mail-parser/tests/mails/mail_outlook_1",  # an Outlook .msg file
    ]
    assert counts["bounce"] >= 8
    assert Contact.objects.count() == counts["imported"] + counts["joined"]
    assert InboundMail.objects.filter(state=MailState.FAILED).count() == 3


def test_on_a_fresh_database_the_queue_named_is_created_and_reported(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(_eml(1))
    (tmp_path / "b.eml").write_bytes(_eml(2))

    report = _run(str(tmp_path), "--queue", "support")
    text = StringIO()
    call_command("import-mail", str(tmp_path), "--queue", "support", stdout=text)

    queue = Queue.objects.get()
    assert (queue.code, queue.channel, queue.is_fallback) == ("support", Channel.EMAIL, False)
    assert (report["queue"], report["queue_created"], report["counts"]["imported"]) == ("support", True, 2)
    assert list(Contact.objects.values_list("queue__code", "fallback_reason")) == [("support", ""), ("support", "")]
    assert "e-mailwachtrij support aangemaakt" not in text.getvalue()  # the second run found it
    assert "2 berichten naar wachtrij support" in text.getvalue()


def test_the_created_queue_is_said_in_the_text_report(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(_eml(1))
    text = StringIO()
    call_command("import-mail", str(tmp_path), "--queue", "support", stdout=text)
    assert text.getvalue().startswith("e-mailwachtrij support aangemaakt\n")


def test_a_queue_code_that_is_no_code_is_refused_before_anything_is_made(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(_eml(1))
    with pytest.raises(CommandError, match="is not a queue code"):
        _run(str(tmp_path), "--queue", "geen code")
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "missing"), "--queue", "support")
    assert not Queue.objects.exists()


def test_the_report_names_every_file_and_what_each_duplicate_repeats(email_queue, tmp_path):
    first, copy, other = tmp_path / "a.eml", tmp_path / "b-copy.eml", tmp_path / "c.eml"
    first.write_bytes(_eml(1))
    copy.write_bytes(_eml(1))  # the same message again (same Message-ID and content)
    other.write_bytes(_eml(2))
    report = _run(str(first), str(copy), str(other), "--queue", email_queue.code)
    a, b, c = report["files"]
    assert (a["file"], a["outcome"], "duplicate_of" in a) == (str(first), "imported", False)
    assert (b["file"], b["outcome"]) == (str(copy), "duplicate")
    assert b["duplicate_of"]["file"] == str(first)
    assert b["duplicate_of"]["external_id"] == a["external_id"]
    assert (c["file"], c["outcome"]) == (str(other), "imported")
    # A later import: every file a duplicate of the message stored before, named by its id.
    later = _run(str(other), "--queue", email_queue.code)
    (again,) = later["files"]
    stored = InboundMail.objects.get(external_id=c["external_id"])
    assert again["duplicate_of"] == {"mail_id": stored.pk, "file": None, "external_id": stored.external_id}
    out = StringIO()
    call_command("import-mail", str(first), str(copy), "--queue", email_queue.code, stdout=out)
    text = out.getvalue()
    assert f"  dubbel: {first} " in text and "(een eerdere import)" in text
    assert f"  dubbel: {copy} {b['external_id']} herhaalt opgeslagen bericht" in text
