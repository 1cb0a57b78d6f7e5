"""Senders of queued replies, one per channel, and the one drain loop that delivers them.

A channel registers one function that delivers an `OutboundMessage` (the email channel over SMTP, web chat over
the customer's websocket, social and WhatsApp through their platform's API). A sender raises `SendError` when
delivery failed; `permanent=True` says retrying will not help. `send_due` (the worker's send job) claims each due
row with a conditional UPDATE (QUEUED -> SENDING), so two workers never send the same reply twice; a failed send
goes back to QUEUED with a later attempt time (2^attempts minutes), up to MAX_ATTEMPTS, then stays FAILED.

The `replied` event is written when the reply is actually sent, at the send time: a reply queued but never
delivered is no response in the figures (first response time, the written backlog).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.contacts.models import Channel, Contact, Direction, EventName, Message
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.services.replies import OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE

logger = logging.getLogger(__name__)

Sender = Callable[[OutboundMessage], None]

MAX_ATTEMPTS = 8
#: The source of the `replied` events written by the drain; their external id is "<message id>:<contact id>".
SENT_EVENT_SOURCE = "outbox-sent"

_SENDERS: dict[str, Sender] = {}


class SendError(Exception):
    """Delivery failed; `permanent` when trying again cannot succeed (no address, a closed window, a refusal)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def register_sender(channel: str, sender: Sender) -> None:
    """Make `sender` deliver the queued replies of `channel` (called from an app's ready())."""
    _SENDERS[channel] = sender


def unregister_sender(channel: str) -> None:
    """Forget the sender of `channel` (tests use this)."""
    _SENDERS.pop(channel, None)


def sender_for(channel: str) -> Sender | None:
    """The sender registered for `channel`, or None when replies on it cannot be sent yet."""
    return _SENDERS.get(channel)


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: int
    failed: int


def stale_claim() -> dt.timedelta:
    """A row left SENDING without its claim renewed this long (its worker died mid-send) is taken up again: the
    sender renews the claim every fifth of it while it sends (`renewing_claim`), so a slow send is never taken
    twice. WORKER_CLAIM_TIMEOUT_S, the same as a worker's heartbeat (contactpunt.ops.heartbeat)."""
    return dt.timedelta(seconds=settings.WORKER_CLAIM_TIMEOUT_S)


@contextlib.contextmanager
def renewing_claim(pk: int) -> Iterator[None]:
    """Renew the claim of the SENDING row `pk` from a thread of its own while the block runs. Nothing is written
    when the block ends within a fifth of the timeout (the usual send)."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.WORKER_CLAIM_TIMEOUT_S / 5):
                try:
                    OutboundMessage.objects.filter(pk=pk, state=OutboundState.SENDING).update(claimed_at=timezone.now())
                except Exception:
                    logger.exception("renewing the claim of outbox message %s failed", pk)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"outbox-claim-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def send_due(*, now: dt.datetime | None = None, limit: int = 100) -> SendResult:
    """Send the queued replies whose time has come, of every channel with a registered sender, claiming each
    first; return how many were sent and how many failed. Rows of a channel without a sender wait."""
    now = now or timezone.now()
    due = OutboundMessage.objects.filter(
        Q(state=OutboundState.QUEUED, next_attempt_at__lte=now)
        | Q(state=OutboundState.SENDING, claimed_at__lt=now - stale_claim()),
        channel__in=list(_SENDERS),
    ).order_by("next_attempt_at", "id")
    sent = failed = 0
    for row in due.only("id", "state", "claimed_at")[:limit]:
        claimed = OutboundMessage.objects.filter(pk=row.pk, state=row.state, claimed_at=row.claimed_at).update(
            state=OutboundState.SENDING, claimed_at=now
        )
        if not claimed:
            continue  # another worker took it
        outbound = OutboundMessage.objects.select_related("mailbox").get(pk=row.pk)
        if send_one(outbound, now=now):
            sent += 1
        else:
            failed += 1
    return SendResult(sent, failed)


def send_one(outbound: OutboundMessage, *, now: dt.datetime) -> bool:
    """Deliver one claimed row through its channel's sender and record the outcome; True when it was sent."""
    sender = _SENDERS.get(outbound.channel)
    try:
        if sender is None:
            raise SendError(f"there is no sender for {outbound.channel} replies", permanent=True)
        with renewing_claim(outbound.pk):
            sender(outbound)
    except SendError as error:
        _failed(outbound, now, str(error), permanent=error.permanent)
        return False
    except Exception as error:  # a sender bug must not stop the drain; the row is retried like any failure
        logger.exception("the %s sender crashed on outbox message %s", outbound.channel, outbound.pk)
        _failed(outbound, now, f"{type(error).__name__}: {error}", permanent=False)
        return False
    sent_at = timezone.now()
    outbound.attempts += 1
    outbound.state = OutboundState.SENT
    outbound.sent_at = sent_at
    outbound.error = ""
    outbound.claimed_at = None
    outbound.save(update_fields=["attempts", "state", "sent_at", "error", "claimed_at"])
    try:
        # After the row is SENT on its own: a failure here must never leave it to be claimed and sent again.
        with transaction.atomic():
            record_replied(outbound, at=sent_at)
    except Exception:
        logger.exception("outbox message %s was sent, but its replied event could not be written", outbound.pk)
    return True


def _failed(outbound: OutboundMessage, now: dt.datetime, reason: str, *, permanent: bool) -> None:
    outbound.attempts += 1
    outbound.error = reason[:2000]
    permanent = permanent or outbound.attempts >= MAX_ATTEMPTS
    outbound.state = OutboundState.FAILED if permanent else OutboundState.QUEUED
    outbound.next_attempt_at = now + dt.timedelta(minutes=2**outbound.attempts)
    outbound.claimed_at = None
    outbound.save(update_fields=["attempts", "error", "state", "next_attempt_at", "claimed_at"])
    logger.warning("sending outbox message %s failed: %s", outbound.pk, outbound.error)


def record_replied(outbound: OutboundMessage, *, at: dt.datetime) -> list[int]:
    """Write the `replied` event, at `at`, on every written inbound contact of the case that arrived before the
    reply was written and had no reply yet (else on the contact the row answers); return their ids.

    Only an agent's reply (an outbound contact made by the reply service) is a response: an outbox row without
    one (an automatic acknowledgement) writes nothing. Idempotent per (row, contact).
    """
    reply_contact = Contact.objects.filter(
        source__in=[OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE], external_id=outbound.message_id
    ).first()
    if reply_contact is None:
        return []
    message = Message.objects.filter(contact=reply_contact).select_related("author").first()
    author = message.author if message is not None else None
    answered = list(
        Contact.objects.filter(
            case_id=reply_contact.case_id, direction=Direction.INBOUND, occurred_at__lte=reply_contact.occurred_at
        )
        .exclude(channel__in=Channel.realtime())
        .exclude(events__name=EventName.REPLIED)
        .order_by("occurred_at", "id")
    )
    if not answered and outbound.contact_id is not None:
        answered = list(Contact.objects.filter(pk=outbound.contact_id))
    for contact in answered:
        record_contact_event(
            contact=contact,
            name=EventName.REPLIED,
            occurred_at=at,
            agent=author,
            source=SENT_EVENT_SOURCE,
            external_id=f"{outbound.message_id}:{contact.pk}"[:255],
            data={"reply_contact": reply_contact.pk},
        )
    return [c.pk for c in answered]
