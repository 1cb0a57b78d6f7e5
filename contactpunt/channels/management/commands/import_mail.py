"""`contactpunt import-mail PATH...`: read .eml files, mbox files and Maildirs into the email intake.

Directories that are not a Maildir are walked recursively (hidden files skipped); every file is read as an mbox
when it starts with "From ", else as one message. The report counts each message once by what became of it:
imported (a new case), joined (an existing case), auto_reply, bounce, loop, rejected (kept, with the reason, not
retried), failed (kept, retried later) and duplicate (received before; nothing changed). It names every file with
its outcome, and for a duplicate the file (of this import) or the stored message (of an earlier one) it repeats.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import slug_re
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from contactpunt.channels.email.intake import BATCH_SIZE, MailResult, RawMail, receive_mails
from contactpunt.channels.email.sources import iter_messages
from contactpunt.channels.models import InboundMail, Mailbox, MailState, queue_import_source
from contactpunt.contacts.models import Channel, Queue
from contactpunt.contacts.services.queues import WRITTEN_RESPONSE_NORM_S, ensure_queue
from contactpunt.formats import number

QUEUE_CODE_LENGTH = Queue._meta.get_field("code").max_length or 80
OUTCOMES = ("imported", "joined", "auto_reply", "bounce", "loop", "rejected", "failed", "duplicate")
#: The outcomes in the report's text, in the installation's language (the JSON report keeps the codes above).
OUTCOME_LABELS = {
    "imported": gettext_lazy("new case"),
    "joined": gettext_lazy("joined a case"),
    "auto_reply": gettext_lazy("auto-reply"),
    "bounce": gettext_lazy("bounce"),
    "loop": gettext_lazy("mail loop"),
    "rejected": gettext_lazy("rejected"),
    "failed": gettext_lazy("failed, retried later"),
    "duplicate": gettext_lazy("duplicate"),
}


def outcome_of(result: MailResult) -> str:
    """Return the report bucket of one result (see the module docstring)."""
    if result.duplicate:
        return "duplicate"
    if result.state == MailState.FAILED:
        return "failed" if result.will_retry else "rejected"
    return str(result.state)


def walk(path: Path, unreadable: list[dict[str, str]]) -> Iterator[tuple[Path, str, bytes]]:
    """Yield (file, external id, raw bytes) for every message under the path; see the module docstring. A file
    that cannot be read or split into messages is added to `unreadable` and the walk goes on."""
    if path.is_dir() and not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
        for child in sorted(path.iterdir()):
            if not child.name.startswith("."):
                yield from walk(child, unreadable)
        return
    try:
        for key, raw in iter_messages(path):
            yield path, key, raw
    except (OSError, ValueError, UnicodeError) as error:
        unreadable.append({"file": str(path), "reason": f"{type(error).__name__}: {error}"})
        print(f"cannot read {path}: {error}", file=sys.stderr)


class Command(BaseCommand):
    help = "Import mail from .eml files, mbox files or Maildirs, and report what became of every message."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--mailbox", help="The mailbox (by name) the mail was sent to.")
        target.add_argument("--queue", help="The queue (by code) for mail without a mailbox.")
        parser.add_argument(
            "--json", nargs="?", const="-", metavar="FILE", help="Write the report as JSON (to FILE, or stdout)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox: Mailbox | None = None
        for path in options["paths"]:
            if not path.exists():
                raise CommandError(f"no such file or directory: {path}")
        queue_created = False
        if options["mailbox"]:
            mailbox = Mailbox.objects.select_related("queue").filter(name=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"there is no mailbox named {options['mailbox']!r}")
            queue, source = mailbox.queue, mailbox.source
        else:
            code = options["queue"]
            if not slug_re.match(code) or len(code) > QUEUE_CODE_LENGTH:
                raise CommandError(
                    f"--queue {code!r} is not a queue code (letters, digits, - and _, at most {QUEUE_CODE_LENGTH})"
                )
            # A fresh database has no queue yet: the import makes the e-mail queue it names, and says so.
            queue, queue_created = ensure_queue(
                code=code, name=code, channel=Channel.EMAIL, response_norm_s=WRITTEN_RESPONSE_NORM_S
            )
            source = queue_import_source(queue.code)
        started = time.monotonic()
        counts: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
        listed: list[dict[str, Any]] = []
        every: list[dict[str, Any]] = []
        first_seen: dict[int, dict[str, Any]] = {}  # stored mail -> the entry of this import that stored it
        unreadable: list[dict[str, str]] = []
        messages = (item for path in options["paths"] for item in walk(path, unreadable))
        while chunk := list(islice(messages, BATCH_SIZE)):
            mails = [RawMail(raw, external_id=key) for _file, key, raw in chunk]
            results = receive_mails(mails, queue=queue, source=source, mailbox=mailbox)
            for (file, _key, _raw), result in zip(chunk, results, strict=True):
                outcome = outcome_of(result)
                counts[outcome] += 1
                entry: dict[str, Any] = {
                    "file": str(file),
                    "external_id": result.external_id,
                    "outcome": outcome,
                    "case_id": result.case_id,
                }
                if outcome == "duplicate":
                    original = first_seen.get(result.mail_id)
                    entry["duplicate_of"] = {
                        "mail_id": result.mail_id,
                        "file": original["file"] if original else None,
                        "external_id": original["external_id"] if original else None,
                    }
                else:
                    first_seen.setdefault(result.mail_id, entry)
                every.append(entry)
                if outcome in ("rejected", "failed", "auto_reply", "bounce", "loop"):
                    listed.append(
                        {
                            "file": str(file),
                            "external_id": result.external_id,
                            "subject": result.subject,
                            "outcome": outcome,
                            "reason": result.reason,
                            "case_id": result.case_id,
                        }
                    )
        _name_earlier_originals(every)
        report = {
            "source": source,
            "mailbox": mailbox.address if mailbox else None,
            "queue": queue.code,
            "queue_name": queue.name,
            "queue_created": queue_created,
            "messages": sum(counts.values()),
            "counts": dict(counts),
            "messages_listed": listed,
            "files": every,
            "unreadable_files": unreadable,
            "seconds": round(time.monotonic() - started, 3),
        }
        with translation.override(settings.LANGUAGE_CODE):  # the installation's language, whatever ran before
            self._write(report, options["json"])

    def _write(self, report: dict[str, Any], json_target: str | None) -> None:
        if json_target == "-":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        if json_target:
            Path(json_target).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        counts = report["counts"]
        if report["queue_created"]:
            self.stdout.write(gettext("created e-mail queue %(queue)s") % {"queue": report["queue"]})
        # People read the queue's name and the mailbox's address; the source (the key that makes a second import
        # of the same mail a duplicate) is in the JSON report.
        if report["mailbox"]:
            line = ngettext(
                "%(n)s message from %(mailbox)s into queue %(queue)s:",
                "%(n)s messages from %(mailbox)s into queue %(queue)s:",
                report["messages"],
            )
        else:
            line = ngettext(
                "%(n)s message into queue %(queue)s:", "%(n)s messages into queue %(queue)s:", report["messages"]
            )
        self.stdout.write(
            line % {"n": number(report["messages"]), "queue": report["queue_name"], "mailbox": report["mailbox"]}
        )
        width = max(len(str(label)) for label in OUTCOME_LABELS.values()) + 1
        for name in OUTCOMES:
            self.stdout.write(f"  {OUTCOME_LABELS[name]!s:<{width}} {counts[name]}")
        reasons = {(e["file"], e["external_id"]): e["reason"] for e in report["messages_listed"]}
        for entry in report["files"]:
            line = f"  {OUTCOME_LABELS[entry['outcome']]}: {entry['file']} {entry['external_id']}"
            if entry["outcome"] == "duplicate":
                original = entry["duplicate_of"]
                line += " " + (
                    gettext("repeats %(file)s %(id)s") % {"file": original["file"], "id": original["external_id"]}
                    if original["file"]
                    else gettext("repeats stored message %(id)s (an earlier import)") % {"id": original["external_id"]}
                )
            elif reasons.get((entry["file"], entry["external_id"])):
                line += f": {reasons[entry['file'], entry['external_id']]}"
            self.stdout.write(line)
        for entry in report["unreadable_files"]:
            self.stdout.write("  " + gettext("unreadable file %(file)s: %(reason)s") % entry)


def _name_earlier_originals(entries: list[dict[str, Any]]) -> None:
    """For duplicates of mail stored by an earlier import (no file of this one), name the stored message."""
    earlier = {e["duplicate_of"]["mail_id"] for e in entries if e.get("duplicate_of") and not e["duplicate_of"]["file"]}
    if not earlier:
        return
    known = dict(InboundMail.objects.filter(pk__in=earlier).values_list("pk", "external_id"))
    for entry in entries:
        original = entry.get("duplicate_of")
        if original and not original["file"]:
            original["external_id"] = known.get(original["mail_id"])
