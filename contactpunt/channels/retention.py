"""How long the channels keep what arrived and what was sent: the raw bytes of received mail, Meta webhook bodies
and the bodies of replies already sent or cancelled. Rows stay (they make intake idempotent and the outbox's
history); their content goes once the retention period (settings RETENTION_*_DAYS, 0 = for ever) is over."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from contactpunt.channels.meta.models import WebhookDelivery, WebhookState
from contactpunt.channels.models import InboundMail, MailState, OutboundMessage, OutboundState


def _cutoff(now: dt.datetime, days: int) -> dt.datetime | None:
    return now - dt.timedelta(days=days) if days > 0 else None


def apply_retention(now: dt.datetime) -> dict[str, int]:
    """Blank what is older than its retention period; return how many rows were blanked, per kind."""
    blanked = {"raw_mail": 0, "webhook_bodies": 0, "sent_replies": 0}
    mail_before = _cutoff(now, settings.RETENTION_RAW_MAIL_DAYS)
    if mail_before is not None:
        # Mail still waiting for (another) processing attempt keeps its bytes: nothing a customer sent is dropped.
        blanked["raw_mail"] = (
            InboundMail.objects.filter(received_at__lt=mail_before)
            .exclude(state=MailState.PENDING)
            .exclude(state=MailState.FAILED, next_retry_at__isnull=False)
            .exclude(raw=b"")
            .update(raw=b"")
        )
    webhook_before = _cutoff(now, settings.RETENTION_WEBHOOK_DAYS)
    if webhook_before is not None:
        blanked["webhook_bodies"] = (
            WebhookDelivery.objects.filter(received_at__lt=webhook_before)
            .exclude(state=WebhookState.PENDING)
            .exclude(state=WebhookState.FAILED, next_retry_at__isnull=False)
            .exclude(body=b"")
            .update(body=b"")
        )
    outbox_before = _cutoff(now, settings.RETENTION_OUTBOX_DAYS)
    if outbox_before is not None:
        blanked["sent_replies"] = (
            OutboundMessage.objects.filter(
                created_at__lt=outbox_before, state__in=[OutboundState.SENT, OutboundState.CANCELLED]
            )
            .exclude(body="")
            .update(body="")
        )
    return blanked
