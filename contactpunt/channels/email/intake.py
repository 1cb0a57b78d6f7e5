"""Email intake: raw bytes in, an InboundMail row kept, a contact received through the inbound service.

Messages come in batches (`receive_mails`; `receive_mail` is the batch of one). Every message is first stored as it
arrived (`InboundMail`, unique on (source, external id), so a repeat delivery is a no-op) and committed, then the
new ones are processed together: one transaction, one `receive_contacts` call (one key reservation, bulk inserts,
one announcement) per batch. When a batch fails, its messages are processed one at a time, so one bad message
neither holds up nor loses the others. Each message is processed as follows:

- a normal mail becomes an inbound contact through `receive_contacts`: the From address as identity, threaded by
  Message-ID, In-Reply-To, References and the case token, the new text (quoted history and signature split off)
  as text, the raw MIME and the attachments kept. State IMPORTED (a new case) or JOINED (an existing case).
- an automatic reply, bounce or loop never becomes a contact, so it never asks an agent for an answer and never
  reopens a case: it stays an InboundMail with state AUTO_REPLY, BOUNCE or LOOP, linked to the case it answers
  when its thread (or, for a bounce, the returned original) points at one.
- a message nobody can read (empty, an Outlook .msg file) or that the inbound service refuses is FAILED without
  a retry time: kept with its error for an admin to look at.
- anything that raises while processing leaves the row FAILED with the error and a retry time; the periodic task
  `retry_failed_mail` tries again with a growing delay. It also takes up a stored message whose processing never
  finished (the worker died between storing and processing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactpunt import fast_insert
from contactpunt.channels.email.parsing import MailKind, ParsedEmail, parse_email
from contactpunt.channels.email.sources import external_id as message_external_id
from contactpunt.channels.models import InboundMail, Mailbox, MailState, OutboundMessage
from contactpunt.contacts.models import Case, Channel, Queue
from contactpunt.contacts.privacy import opaque
from contactpunt.contacts.queries import case_for_message_ids, follow_merges
from contactpunt.contacts.services.inbound import MAX_TEXT, receive_contacts
from contactpunt.contacts.services.types import (
    AttachmentInput,
    IdentityInput,
    InboundContact,
    Outcome,
    Received,
    ThreadRef,
)
from contactpunt.customers.identities import InvalidIdentity, normalise
from contactpunt.customers.models import IdentityKind

logger = logging.getLogger(__name__)

#: After this many failed attempts a message is no longer retried by itself (it stays FAILED and visible).
MAX_ATTEMPTS = 10
#: Messages processed together: one transaction and one `receive_contacts` call. Larger batches gain little (the
#: per-message parse dominates) and hold the transaction longer.
BATCH_SIZE = 100
#: A stored message whose processing has not finished this long after it was stored or claimed is taken up again
#: by `retry_failed_mail` (the worker that had it died).
STALE_AFTER = dt.timedelta(minutes=15)
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
class RawMail:
    """One message as it arrived: its exact bytes; the external id (default: the Message-ID, or sha256 of the
    bytes) and the time it arrived (default: now)."""

    raw: bytes
    external_id: str | None = None
    received_at: dt.datetime | None = None


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
    is recorded on the row and returned. The batch of one of `receive_mails`.
    """
    item = RawMail(raw, external_id=external_id, received_at=received_at)
    return receive_mails([item], queue=queue, source=source, mailbox=mailbox)[0]


def receive_mails(
    mails: Sequence[RawMail], *, queue: Queue, source: str, mailbox: Mailbox | None = None
) -> list[MailResult]:
    """Keep every message's raw bytes (committed before anything else happens), then process the new ones in
    batches of BATCH_SIZE; return one result per message, in order.

    A repeat, of an earlier delivery or of a message earlier in the same call, is a duplicate and changes nothing.
    Never raises for a bad message; it raises only when the raw bytes cannot be stored (the database is down), and
    then nothing of the call was kept, so the caller must not mark the messages as taken.
    """
    stored = _store_all(mails, queue=queue, source=source, mailbox=mailbox)
    new = [mail for mail, created in stored if created]
    processed: dict[int, MailResult] = {}
    for start in range(0, len(new), BATCH_SIZE):
        for result in process_mails(new[start : start + BATCH_SIZE]):
            processed[result.mail_id] = result
    results: list[MailResult] = []
    for mail, created in stored:
        if created:
            results.append(processed[mail.pk])
        elif mail.pk in processed:  # a repeat of a message earlier in this call
            results.append(replace(processed[mail.pk], duplicate=True))
        else:
            results.append(_result(mail, duplicate=True))
    return results


_CONTENT_HEADERS = ("from", "to", "cc", "subject", "date")


def _content(raw: bytes) -> bytes:
    """What makes a message the same message: its From, To, Cc, Subject and Date and its body. A repeat
    delivery differs at most in the headers servers add (Received, Delivered-To); two messages that share a
    Message-ID but differ in any of these are two messages (a careless mailer, a reused id)."""
    normalised = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, _blank, body = normalised.partition(b"\n\n")
    headers = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    wanted = [
        b" ".join(str(value).encode("utf-8", "replace").split())
        for name in _CONTENT_HEADERS
        for value in (headers.get_all(name) or [])
    ]
    return b"\0".join([*wanted, body])


def _other_key(key: str, raw: bytes) -> str:
    """Return the key of a message that shares its Message-ID with another message of other content (see
    `_content`): both are kept. A true repeat delivery keeps the plain key and stays a duplicate."""
    return f"{key}#sha256:{hashlib.sha256(raw).hexdigest()[:32]}"


def _key_of(item: RawMail) -> str:
    return (item.external_id or message_external_id(item.raw))[:200]


def _new_row(
    item: RawMail, *, queue: Queue, source: str, mailbox: Mailbox | None, key: str, now: dt.datetime
) -> InboundMail:
    """A new PENDING row with a retry time STALE_AFTER ahead: processing clears it, and a row whose processing
    never finished (the worker died) is taken up by `retry_failed_mail` then, so a stored message is never lost."""
    return InboundMail(
        mailbox=mailbox,
        queue=queue,
        source=source,
        external_id=key,
        raw=item.raw,
        received_at=item.received_at or now,
        state=MailState.PENDING,
        next_retry_at=now + STALE_AFTER,
    )


def _store_all(
    mails: Sequence[RawMail], *, queue: Queue, source: str, mailbox: Mailbox | None
) -> list[tuple[InboundMail, bool]]:
    """Store the messages not seen before in one INSERT (rows of `_new_row`); return (row, created) per message,
    in order."""
    if not mails:
        return []
    now = timezone.now()
    keys = [_key_of(m) for m in mails]
    others = [_other_key(key, m.raw) for key, m in zip(keys, mails, strict=True)]
    # The Message-ID of an erased customer's mail is stored opaque (contacts.privacy.opaque): a repeat delivery of
    # it is a duplicate too, and nothing of it is taken in again.
    erased = [opaque(key) for key in keys]
    known = {
        row.external_id: row
        for row in InboundMail.objects.filter(source=source, external_id__in={*keys, *others, *erased}).defer("raw")
    }
    bodies: dict[str, bytes] = {}
    stored: list[tuple[InboundMail, bool]] = []
    new: list[InboundMail] = []
    for plain, other, gone, item in zip(keys, others, erased, mails, strict=True):
        if gone in known:
            stored.append((known[gone], False))
            continue
        key, holder = plain, known.get(plain)
        if holder is not None and _content(_raw_of(holder, bodies)) != _content(item.raw):
            key, holder = other, known.get(other)
        if holder is not None:
            stored.append((holder, False))
            continue
        mail = _new_row(item, queue=queue, source=source, mailbox=mailbox, key=key, now=now)
        known[key] = mail
        new.append(mail)
        stored.append((mail, True))
    if new:
        try:
            with transaction.atomic():
                InboundMail.objects.bulk_create(new)
        except IntegrityError:
            # Another poller stored one of them at the same moment: one at a time, each finding the other's row.
            return [_store_one(item, queue=queue, source=source, mailbox=mailbox, now=now) for item in mails]
    return stored


def _raw_of(mail: InboundMail, cache: dict[str, bytes]) -> bytes:
    """Return the raw bytes of a row (loaded on first use: the lookup leaves them out)."""
    if mail.pk is None:
        return bytes(mail.raw)
    if mail.external_id not in cache:
        cache[mail.external_id] = bytes(InboundMail.objects.values_list("raw", flat=True).get(pk=mail.pk))
    return cache[mail.external_id]


def _store_one(
    item: RawMail, *, queue: Queue, source: str, mailbox: Mailbox | None, now: dt.datetime
) -> tuple[InboundMail, bool]:
    key = _key_of(item)
    mail, created = _store(item, queue=queue, source=source, mailbox=mailbox, key=key, now=now)
    if not created and _content(bytes(mail.raw)) != _content(item.raw):
        key = _other_key(key, item.raw)
        mail, created = _store(item, queue=queue, source=source, mailbox=mailbox, key=key, now=now)
    return mail, created


def _store(
    item: RawMail, *, queue: Queue, source: str, mailbox: Mailbox | None, key: str, now: dt.datetime
) -> tuple[InboundMail, bool]:
    existing = InboundMail.objects.filter(source=source, external_id=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mail = _new_row(item, queue=queue, source=source, mailbox=mailbox, key=key, now=now)
            mail.save(force_insert=True)
    except IntegrityError:
        # The same message arrived twice at once (two pollers); the other one keeps it.
        return InboundMail.objects.get(source=source, external_id=key), False
    return mail, True


def process_mail(mail: InboundMail, *, parsed: ParsedEmail | None = None) -> MailResult:
    """Process a stored message (new or retried) and record the outcome on its row; never raises.

    When processing raises, the row is FAILED with the error and a retry time (until MAX_ATTEMPTS)."""
    if parsed is None:
        parsed = _parse(mail, _own_addresses())
    try:
        with transaction.atomic():
            _process_batch([(mail, parsed)])
    except Exception as error:
        logger.exception("processing mail %s from %s failed", mail.external_id, mail.source)
        _record_failure(mail, parsed, error)
    return _result(mail)


def process_mails(mails: Sequence[InboundMail]) -> list[MailResult]:
    """Process stored messages (new or retried) together: one transaction, one `receive_contacts` call. When the
    batch fails, each message is processed on its own, so one bad message neither holds up nor loses the others.
    Never raises; one result per message, in order."""
    if len(mails) <= 1:
        return [process_mail(mail) for mail in mails]
    own = _own_addresses()
    batch = [(mail, _parse(mail, own)) for mail in mails]
    try:
        with transaction.atomic():
            _process_batch(batch)
    except Exception:
        logger.warning("a batch of %d messages failed; processing them one at a time", len(batch), exc_info=True)
        rows = InboundMail.objects.in_bulk([mail.pk for mail in mails])
        return [process_mail(rows.get(mail.pk, mail), parsed=parsed) for mail, parsed in batch]
    return [_result(mail) for mail in mails]


def retry_failed_mail(*, now: dt.datetime | None = None, limit: int = 100) -> list[MailResult]:
    """Process again the failed messages whose retry time has come, and the stored ones whose processing never
    finished (PENDING past their retry time), oldest first, in batches; return their results.

    Each row is claimed with a conditional UPDATE (its retry time moves ahead), so two workers never process the
    same message at once.
    """
    now = now or timezone.now()
    due = InboundMail.objects.filter(state__in=[MailState.FAILED, MailState.PENDING], next_retry_at__lte=now).order_by(
        "next_retry_at", "id"
    )
    claimed = []
    for mail in due.only("id", "state", "next_retry_at")[:limit]:
        if InboundMail.objects.filter(pk=mail.pk, state=mail.state, next_retry_at=mail.next_retry_at).update(
            next_retry_at=now + STALE_AFTER
        ):
            claimed.append(mail.pk)
    rows = InboundMail.objects.in_bulk(claimed)
    mails = [rows[pk] for pk in claimed if pk in rows]
    results: list[MailResult] = []
    for start in range(0, len(mails), BATCH_SIZE):
        results.extend(process_mails(mails[start : start + BATCH_SIZE]))
    return results


def _own_addresses() -> list[str]:
    return list(Mailbox.objects.values_list("address", flat=True))


def _parse(mail: InboundMail, own_addresses: list[str]) -> ParsedEmail:
    return parse_email(bytes(mail.raw), own_addresses=own_addresses)


_FIELDS = [
    "sender",
    "subject",
    "problems",
    "processed_at",
    "attempts",
    "next_retry_at",
    "error",
    "state",
    "kind_reason",
    "case",
    "contact",
]


def _process_batch(batch: list[tuple[InboundMail, ParsedEmail]]) -> None:
    """Decide what every message is, receive the normal ones in one `receive_contacts` call, link the automatic
    ones (after the others, so an auto-reply to a message of the same batch finds its case), and save the rows."""
    now = timezone.now()
    normal: list[tuple[InboundMail, ParsedEmail]] = []
    automatic: list[tuple[InboundMail, ParsedEmail]] = []
    for mail, parsed in batch:
        _describe(mail, parsed)
        mail.processed_at = now
        mail.attempts += 1
        mail.next_retry_at = None
        mail.error = ""
        if _is_unreadable(parsed):
            mail.state = MailState.FAILED
            mail.error = "unreadable: " + ("; ".join(parsed.problems) or "no headers and no text")
        elif parsed.kind in (MailKind.NORMAL, MailKind.BULK):
            # List and bulk mail is a contact too; the reason stays on the row as its flag.
            mail.kind_reason = parsed.kind_reason[:200]
            normal.append((mail, parsed))
        else:
            automatic.append((mail, parsed))
    _receive(normal)
    for mail, parsed in automatic:
        mail.state = _KIND_STATE[parsed.kind]
        mail.kind_reason = parsed.kind_reason[:200]
        mail.case = _answered_case(parsed)
    if len(batch) == 1:
        batch[0][0].save(update_fields=_FIELDS)
    else:
        _save_all([mail for mail, _parsed in batch])


def _save_all(mails: list[InboundMail]) -> None:
    """Write the processed fields of the rows in one executemany (bulk_update's CASE per field and row cost more
    than parsing the mail)."""
    fast_insert.update_rows(InboundMail, mails, _FIELDS)


def _describe(mail: InboundMail, parsed: ParsedEmail) -> None:
    mail.sender = (parsed.from_address or "")[:320]
    mail.subject = parsed.subject[:300]
    mail.problems = list(parsed.problems[:50])


def _record_failure(mail: InboundMail, parsed: ParsedEmail, error: Exception) -> None:
    """Keep the error on the row, as it is in the database (the failed transaction changed nothing)."""
    mail.refresh_from_db()
    _describe(mail, parsed)
    mail.attempts += 1
    mail.state = MailState.FAILED
    mail.error = f"{type(error).__name__}: {error}"[:2000]
    mail.next_retry_at = timezone.now() + retry_delay(mail.attempts) if mail.attempts < MAX_ATTEMPTS else None
    mail.save(update_fields=["sender", "subject", "problems", "attempts", "state", "error", "next_retry_at"])


def _is_unreadable(parsed: ParsedEmail) -> bool:
    return not (parsed.subject or parsed.text_body.strip() or parsed.from_address or parsed.attachments)


def _receive(normal: list[tuple[InboundMail, ParsedEmail]]) -> None:
    """Receive the normal messages through one `receive_contacts` call (it joins a reply to a message earlier in
    the same batch, and answers a repeat of an external id as a duplicate)."""
    if not normal:
        return
    contacts = [_inbound_contact(mail, parsed, with_identity=_readable_sender(mail, parsed)) for mail, parsed in normal]
    received = receive_contacts(contacts)
    again: list[tuple[InboundMail, ParsedEmail]] = []
    for (mail, parsed), result in zip(normal, received, strict=True):
        if result.outcome is Outcome.REJECTED and all(e.field.startswith("identities") for e in result.errors):
            # The service refused an address `_readable_sender` let through: receive it from an unknown sender.
            mail.problems = [*mail.problems, *(f"{e.field}: {e.message}" for e in result.errors)]
            again.append((mail, parsed))
        else:
            _apply(mail, result)
    if again:
        anonymous = [_inbound_contact(mail, parsed, with_identity=False) for mail, parsed in again]
        for (mail, _parsed), result in zip(again, receive_contacts(anonymous), strict=True):
            _apply(mail, result)


def _readable_sender(mail: InboundMail, parsed: ParsedEmail) -> bool:
    """Return whether the From address can identify the customer; note the problem when it cannot.

    An unreadable From address must not cost the customer their message: it is received from an unknown sender,
    in the same call as the rest of the batch, so a reply to it later in the batch still finds its case."""
    if not parsed.from_address:
        return False
    try:
        normalise(IdentityKind.EMAIL, parsed.from_address)
    except InvalidIdentity as error:
        mail.problems = [*mail.problems, f"identities[0].value: {error}"]
        return False
    return True


def _apply(mail: InboundMail, received: Received) -> None:
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
