"""Meta webhooks into contacts: check the signature, keep the body, then turn its messages into contacts.

Every body with a valid signature is stored (WebhookDelivery) before it is read, so a notification that fails
to process is kept with its error and retried; a retried notification changes nothing, because each message
is received under (account source, platform message id) and each status under (message id, status).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactpunt.channels.meta.models import (
    DeliveryStatus,
    DeliveryStatusName,
    MetaAccount,
    MetaApp,
    MetaSent,
    Platform,
    WebhookDelivery,
    WebhookState,
)
from contactpunt.channels.meta.payloads import InboundItem, PayloadError, StatusItem, parse_notification
from contactpunt.contacts.models import Channel, Contact
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.replies import OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE
from contactpunt.contacts.services.types import (
    AttachmentInput,
    IdentityInput,
    InboundContact,
    Outcome,
    ThreadRef,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
SIGNATURE_PREFIX = "sha256="


def signature_is_valid(*, app_secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` (X-Hub-Signature-256) is "sha256=" + the HMAC-SHA256 of the raw body with the secret."""
    if not header or not header.startswith(SIGNATURE_PREFIX) or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(SIGNATURE_PREFIX) :].strip().lower())


def store_webhook(*, app: MetaApp, body: bytes) -> WebhookDelivery:
    """Keep a signed body before anything else; REJECTED (with the reason) when it is not a JSON object."""
    delivery = WebhookDelivery(app=app, body=body)
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise PayloadError("the body is not a JSON object")
    except (ValueError, UnicodeDecodeError) as error:
        delivery.state = WebhookState.REJECTED
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
    delivery.save()
    return delivery


@dataclass(frozen=True, slots=True)
class Processed:
    created: int
    duplicates: int
    statuses: int
    skipped: int
    rejected: list[str]


def process_delivery(delivery: WebhookDelivery) -> Processed | None:
    """Read a stored body into contacts and statuses and record the outcome on the row; None when it failed
    (the row is FAILED, retried later while attempts remain)."""
    delivery.attempts += 1
    try:
        result = _process(delivery)
    except Exception as error:  # kept and retried: the body is stored, nothing is lost
        logger.exception("processing Meta webhook %s failed", delivery.pk)
        delivery.state = WebhookState.FAILED
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        delivery.next_retry_at = (
            timezone.now() + dt.timedelta(minutes=2**delivery.attempts) if delivery.attempts < MAX_ATTEMPTS else None
        )
        delivery.save(update_fields=["state", "error", "attempts", "next_retry_at"])
        return None
    delivery.summary = {
        "created": result.created,
        "duplicates": result.duplicates,
        "statuses": result.statuses,
        "skipped": result.skipped,
    }
    delivery.processed_at = timezone.now()
    delivery.next_retry_at = None
    if result.rejected:
        # Refused by the inbound service (a bad identity, an unknown queue): retrying gives the same answer.
        delivery.state = WebhookState.FAILED
        delivery.error = "; ".join(result.rejected)[:2000]
    else:
        delivery.state = WebhookState.PROCESSED
        delivery.error = ""
    delivery.save(update_fields=["state", "error", "attempts", "next_retry_at", "summary", "processed_at"])
    return result


def retry_failed_webhooks(*, now: dt.datetime | None = None, limit: int = 100) -> list[int]:
    """Process again the failed webhooks whose retry time has come; return their ids."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(state=WebhookState.FAILED, next_retry_at__lte=now).order_by("next_retry_at")
    tried = []
    for delivery in due[:limit]:
        process_delivery(delivery)
        tried.append(delivery.pk)
    return tried


def _process(delivery: WebhookDelivery) -> Processed:
    payload = json.loads(bytes(delivery.body))
    parsed = parse_notification(payload, received_at=delivery.received_at)
    accounts = {
        (a.platform, a.account_id): a
        for a in MetaAccount.objects.filter(app_id=delivery.app_id, is_active=True).select_related("queue")
    }
    inputs: list[InboundContact] = []
    rejected: list[str] = []
    skipped = len(parsed.skipped)
    for item in parsed.messages:
        account = accounts.get((item.platform, item.account_id))
        if account is None or not item.external_id:
            rejected.append(f"{item.platform} message {item.external_id or '?'}: no active account {item.account_id}")
            continue
        inputs.append(_inbound(item, account))
    created = duplicates = 0
    with transaction.atomic():
        for received in receive_contacts(inputs) if inputs else []:
            if received.outcome == Outcome.CREATED:
                created += 1
            elif received.outcome == Outcome.DUPLICATE:
                duplicates += 1
            else:
                rejected.extend(f"{e.field}: {e.message}" for e in received.errors)
        statuses = sum(_record_status(item, accounts) for item in parsed.statuses)
    return Processed(created, duplicates, statuses, skipped, rejected)


def _inbound(item: InboundItem, account: MetaAccount) -> InboundContact:
    if item.platform == Platform.WHATSAPP:
        identity = IdentityInput("whatsapp", "+" + item.sender_id.lstrip("+"))
        channel = Channel.WHATSAPP
    else:
        identity = IdentityInput("social", item.sender_id, namespace=account.source)
        channel = Channel.SOCIAL
    text = item.text
    notes = [f"[{m.kind}: {m.filename or m.media_id or m.url}]" for m in item.media]
    if notes:
        text = "\n".join([text, *notes]).strip()
    attachments = tuple(
        AttachmentInput(
            filename=(m.filename or f"{m.kind}-{m.media_id or 'url'}")[:255],
            content_type=m.mime_type or "application/octet-stream",
            # The platform keeps the media; its id (or URL) is in the text and the raw payload.
            content=json.dumps({"media_id": m.media_id, "url": m.url}).encode(),
        )
        for m in item.media
    )
    return InboundContact(
        source=account.source,
        queue=account.queue.code,
        occurred_at=item.occurred_at,
        external_id=item.external_id[:255],
        channel=channel,
        identities=(identity,) if item.sender_id else (),
        customer_name=item.sender_name[:200],
        text=text,
        raw=json.dumps(item.raw, ensure_ascii=False).encode(),
        raw_content_type="application/json",
        thread=ThreadRef(message_id=item.external_id[:255], conversation_id=item.conversation_id[:300]),
        attachments=attachments,
        is_public=item.is_public,
    )


def _record_status(item: StatusItem, accounts: dict[tuple[str, str], MetaAccount]) -> int:
    if item.status not in DeliveryStatusName.values:
        return 0
    if not item.platform_message_id:
        return _record_read_watermark(item, accounts)
    sent = MetaSent.objects.filter(platform_message_id=item.platform_message_id).select_related("outbound").first()
    contact = _reply_contact(sent.outbound.message_id) if sent is not None else None
    try:
        with transaction.atomic():
            DeliveryStatus.objects.create(
                platform_message_id=item.platform_message_id[:255],
                status=item.status,
                occurred_at=item.occurred_at,
                contact=contact,
                error=item.error,
            )
    except IntegrityError:
        return 0  # a retried notification
    return 1


def _record_read_watermark(item: StatusItem, accounts: dict[tuple[str, str], MetaAccount]) -> int:
    """Messenger says "read up to <watermark>": every reply to that person sent by then is read."""
    account = accounts.get((item.platform, item.account_id))
    if account is None:
        return 0
    sent = MetaSent.objects.filter(
        account=account, outbound__to=item.recipient_id, sent_at__lte=item.occurred_at
    ).select_related("outbound")
    recorded = 0
    for row in sent:
        recorded += _record_status(
            StatusItem(item.platform, item.account_id, row.platform_message_id, item.status, item.occurred_at),
            accounts,
        )
    return recorded


def _reply_contact(message_id: str) -> Contact | None:
    return Contact.objects.filter(source__in=[OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE], external_id=message_id).first()


def link_statuses(sent: MetaSent) -> None:
    """Attach statuses that arrived before the send was recorded (the platform can be faster than our commit)."""
    contact = _reply_contact(sent.outbound.message_id)
    if contact is not None:
        DeliveryStatus.objects.filter(platform_message_id=sent.platform_message_id, contact__isnull=True).update(
            contact=contact
        )


def summary_for_log(payload: Any) -> str:
    """A short description of a body for the log (never its content: it holds personal data)."""
    if isinstance(payload, dict):
        return f"object={payload.get('object')!r} entries={len(payload.get('entry') or [])}"
    return type(payload).__name__
