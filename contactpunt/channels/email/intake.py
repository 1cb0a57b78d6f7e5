"""Email intake: raw bytes in, an InboundMail row kept, a contact received through the inbound service.

Every message is first stored as it arrived (`InboundMail`, unique on (source, external id), so a repeat delivery
is a no-op), then processed:

- a normal mail becomes an inbound contact through `receive_contacts`: the From address as identity, threaded by
  Message-ID, In-Reply-To, References and the case token, the new text (quoted history and signature split off)
  as text, the raw MIME and the attachments kept. State IMPORTED (a new case) or JOINED (an existing case).
- an automatic reply, bounce or loop never becomes a contact, so it never asks an agent for an answer and never
  reopens a case: it stays an InboundMail with state AUTO_REPLY, BOUNCE or LOOP, linked to the case it answers
  when its thread (or, for a bounce, the returned original) points at one.
- a message nobody can read (empty, an Outlook .msg file) or that the inbound service refuses is FAILED without
  a retry time: kept with its error for an admin to look at.
- anything that raises while processing leaves the row FAILED with the error and a retry time; the periodic task
  `retry_failed_mail` tries again with a growing delay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactpunt.channels.email.parsing import MailKind, ParsedEmail, parse_email
from contactpunt.channels.email.sources import external_id as message_external_id
from contactpunt.channels.models import InboundMail, Mailbox, MailState, OutboundMessage
from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.contacts.queries import case_for_message_ids, follow_merges
from contactpunt.contacts.services.inbound import MAX_TEXT, receive_contacts
from contactpunt.contacts.services.types import (
    AttachmentInput,
    IdentityInput,
    InboundContact,
    Outcome,
    ThreadRef,
)

logger = logging.getLogger(__name__)

#: After this many failed attempts a message is no longer retried by itself (it stays FAILED and visible).
MAX_ATTEMPTS = 10
#: Attachment names longer than this are cut: Attachment.file keeps "attachments/YYYY/MM/<name>" in 100 characters,
#: and the storage may add a 8-character suffix to make the name unique.
MAX_FILENAME = 60
_KIND_STATE = {
    MailKind.AUTO_REPLY: MailState.AUTO_REPLY,
    MailKind.BOUNCE: MailState.BOUNCE,
    MailKind.LOOP: MailState.LOOP,
}
_RETURNED_ID_RE = re.compile(rb"^Message-ID:\s*<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_RETURNED_PARTS = frozenset({"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"})


@dataclass(frozen=True, slots=True)
class MailResult:
    """What became of one message. `duplicate` is True when it had been received before (nothing changed);
    `reason` is the error of a failed message or the header that made it an automatic reply or bounce."""

    mail_id: int
    external_id: str
    state: MailState
    duplicate: bool = False
    contact_id: int | None = None
    case_id: int | None = None
    subject: str = ""
    reason: str = ""
    will_retry: bool = False


def retry_delay(attempts: int) -> dt.timedelta:
    """Return the wait before the next attempt after `attempts` failures: 1, 2, 4 ... minutes, at most 6 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def receive_mail(
    *,
    raw: bytes,
    queue: Queue,
    source: str,
    mailbox: Mailbox | None = None,
    external_id: str | None = None,
    received_at: dt.datetime | None = None,
) -> MailResult:
    """Keep the raw message, then process it; a repeat of (source, external id) changes nothing.

    `external_id` defaults to the Message-ID (or sha256 of the bytes). Never raises for a bad message: a failure
    is recorded on the row and returned.
    """
    key = (external_id or message_external_id(raw))[:200]
    mail, created = _store(raw=raw, queue=queue, source=source, mailbox=mailbox, key=key, received_at=received_at)
    if not created and _body(bytes(mail.raw)) != _body(raw):
        # The same Message-ID on a different message (a careless mailer, a reused test fixture): keep both. A true
        # repeat delivery differs at most in its headers (another Received line), so it stays a duplicate.
        key = f"{key}#sha256:{hashlib.sha256(raw).hexdigest()[:32]}"
        mail, created = _store(raw=raw, queue=queue, source=source, mailbox=mailbox, key=key, received_at=received_at)
    if not created:
        return _result(mail, duplicate=True)
    return process_mail(mail)


def _body(raw: bytes) -> bytes:
    normalised = raw.replace(b"\r\n", b"\n")
    return normalised.split(b"\n\n", 1)[1] if b"\n\n" in normalised else normalised


def _store(
    *, raw: bytes, queue: Queue, source: str, mailbox: Mailbox | None, key: str, received_at: dt.datetime | None
) -> tuple[InboundMail, bool]:
    existing = InboundMail.objects.filter(source=source, external_id=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                mailbox=mailbox,
                queue=queue,
                source=source,
                external_id=key,
                raw=raw,
                received_at=received_at or timezone.now(),
            )
    except IntegrityError:
        # The same message arrived twice at once (two pollers); the other one keeps it.
        return InboundMail.objects.get(source=source, external_id=key), False
    return mail, True


def process_mail(mail: InboundMail) -> MailResult:
    """Process a stored message (new or retried) and record the outcome on its row; never raises."""
    try:
        with transaction.atomic():
            _process(mail)
    except Exception as error:
        logger.exception("processing mail %s from %s failed", mail.external_id, mail.source)
        mail.refresh_from_db(fields=["attempts"])
        mail.attempts += 1
        mail.state = MailState.FAILED
        mail.error = f"{type(error).__name__}: {error}"[:2000]
        mail.next_retry_at = timezone.now() + retry_delay(mail.attempts) if mail.attempts < MAX_ATTEMPTS else None
        mail.save(update_fields=["attempts", "state", "error", "next_retry_at"])
    return _result(mail)


def retry_failed_mail(*, now: dt.datetime | None = None, limit: int = 100) -> list[MailResult]:
    """Process again the failed messages whose retry time has come, oldest first; return their results.

    Each row is claimed with a conditional UPDATE (its retry time moves ahead), so two workers never process the
    same message at once.
    """
    now = now or timezone.now()
    due = InboundMail.objects.filter(state=MailState.FAILED, next_retry_at__lte=now).order_by("next_retry_at", "id")
    results = []
    for mail in due.only("id", "next_retry_at")[:limit]:
        claimed = InboundMail.objects.filter(
            pk=mail.pk, state=MailState.FAILED, next_retry_at=mail.next_retry_at
        ).update(next_retry_at=now + dt.timedelta(minutes=15))
        if claimed:
            results.append(process_mail(InboundMail.objects.get(pk=mail.pk)))
    return results


def _process(mail: InboundMail) -> None:
    raw = bytes(mail.raw)
    own = list(Mailbox.objects.values_list("address", flat=True))
    parsed = parse_email(raw, own_addresses=own)
    mail.sender = (parsed.from_address or "")[:320]
    mail.subject = parsed.subject[:300]
    mail.problems = list(parsed.problems[:50])
    mail.processed_at = timezone.now()
    mail.attempts += 1
    mail.next_retry_at = None
    mail.error = ""
    fields = ["sender", "subject", "problems", "processed_at", "attempts", "next_retry_at", "error", "state"]
    if _is_unreadable(parsed):
        mail.state = MailState.FAILED
        mail.error = "unreadable: " + ("; ".join(parsed.problems) or "no headers and no text")
    elif parsed.kind is not MailKind.NORMAL:
        mail.state = _KIND_STATE[parsed.kind]
        mail.kind_reason = parsed.kind_reason[:200]
        mail.case = _answered_case(parsed)
        fields += ["kind_reason", "case"]
    else:
        _receive(mail, parsed)
        fields += ["contact", "case"]
    mail.save(update_fields=fields)


def _is_unreadable(parsed: ParsedEmail) -> bool:
    return not (parsed.subject or parsed.text_body.strip() or parsed.from_address or parsed.attachments)


def _receive(mail: InboundMail, parsed: ParsedEmail) -> None:
    contact = _inbound_contact(mail, parsed)
    received = receive_contacts([contact])[0]
    if received.outcome is Outcome.REJECTED and all(e.field.startswith("identities") for e in received.errors):
        # An unreadable From address must not cost the customer their message: receive it from an unknown sender.
        mail.problems = [*mail.problems, *(f"{e.field}: {e.message}" for e in received.errors)]
        contact = _inbound_contact(mail, parsed, with_identity=False)
        received = receive_contacts([contact])[0]
    if received.outcome is Outcome.REJECTED:
        mail.state = MailState.FAILED
        mail.error = "rejected: " + "; ".join(f"{e.field}: {e.message}" for e in received.errors)
        return
    mail.contact_id = received.contact_id
    mail.case_id = received.case_id
    mail.state = MailState.IMPORTED if received.case_created else MailState.JOINED


def _inbound_contact(mail: InboundMail, parsed: ParsedEmail, *, with_identity: bool = True) -> InboundContact:
    occurred_at = mail.received_at
    if parsed.date is not None and parsed.date < occurred_at:
        # The Date header dates an archived message; a clock ahead of ours never moves a mail into the future.
        occurred_at = parsed.date
    identities: tuple[IdentityInput, ...] = ()
    if with_identity and parsed.from_address:
        identities = (IdentityInput("email", parsed.from_address),)
    text = parsed.new_text if parsed.new_text.strip() else parsed.text_body
    return InboundContact(
        source=mail.source,
        queue=mail.queue.code,
        occurred_at=occurred_at,
        external_id=mail.external_id,
        channel=Channel.EMAIL,
        identities=identities,
        customer_name=parsed.from_name,
        subject=parsed.subject,
        text=text[:MAX_TEXT],
        raw=bytes(mail.raw),
        raw_content_type="message/rfc822",
        thread=ThreadRef(
            message_id=parsed.message_id or "",
            in_reply_to=parsed.in_reply_to or "",
            references=parsed.references,
        ),
        attachments=tuple(
            AttachmentInput(_short_filename(a.filename), a.content_type, a.content) for a in parsed.attachments
        ),
    )


def _short_filename(name: str) -> str:
    """Return the name cut to MAX_FILENAME characters, keeping a short extension: the storage path holds 100."""
    if len(name) <= MAX_FILENAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:MAX_FILENAME]
    return f"{stem[: MAX_FILENAME - len(extension) - 1]}.{extension}"


def _answered_case(parsed: ParsedEmail) -> Case | None:
    """Return the case an automatic reply or bounce belongs to: by its thread, its case token, or (bounces) the
    Message-ID of the returned original, which is one of our sent replies."""
    ids = list(parsed.thread_ids)
    for attachment in parsed.attachments:
        if attachment.content_type in _RETURNED_PARTS:
            ids.extend(m.decode("utf-8", "replace") for m in _RETURNED_ID_RE.findall(attachment.content[:65536]))
    case = case_for_message_ids(ids)
    if case is None and ids:
        sent = OutboundMessage.objects.filter(message_id__in=ids).select_related("case").first()
        case = sent.case if sent is not None else None
    if case is None and parsed.case_number is not None:
        case = Case.objects.filter(pk=parsed.case_number).first()
    return follow_merges(case)


def _result(mail: InboundMail, *, duplicate: bool = False) -> MailResult:
    reason = mail.error or mail.kind_reason
    return MailResult(
        mail_id=mail.pk,
        external_id=mail.external_id,
        state=MailState(mail.state),
        duplicate=duplicate,
        contact_id=mail.contact_id,
        case_id=mail.case_id,
        subject=mail.subject,
        reason=reason,
        will_retry=mail.state == MailState.FAILED and mail.next_retry_at is not None,
    )
