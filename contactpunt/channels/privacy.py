"""The channels' part of a customer's export and erasure: received mail, the outbox, Meta webhooks and delivery
statuses. Registered in apps.ready(); the erasure runs inside the erasing transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from contactpunt.channels.meta.models import DeliveryStatus, WebhookDelivery, WhatsAppTemplateSend
from contactpunt.channels.models import InboundMail, OutboundMessage, OutboundState
from contactpunt.contacts import announcements, privacy


def _mail(scope: privacy.CustomerScope) -> models.QuerySet[InboundMail]:
    linked = models.Q(contact_id__in=scope.contact_ids) | models.Q(case_id__in=scope.case_ids)
    for address in scope.emails:
        linked |= models.Q(sender__iexact=address)
    ids = set(InboundMail.objects.filter(linked).values_list("pk", flat=True))
    # Mail linked to nobody (a bounce, a message that failed) that still names the customer.
    ids |= privacy.pks_containing(InboundMail, "raw", scope.needles)
    return InboundMail.objects.filter(pk__in=ids)


def _outbox(scope: privacy.CustomerScope) -> models.QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        models.Q(case_id__in=scope.case_ids)
        | models.Q(contact_id__in=scope.contact_ids)
        | models.Q(customer_id__in=scope.customer_ids)
    )


def export(scope: privacy.CustomerScope) -> dict[str, Any]:
    """The customer's received mail (as received) and every reply to them in the outbox."""
    return {
        "received_mail": [
            {
                "id": mail.pk,
                "received_at": mail.received_at.isoformat(),
                "state": mail.state,
                "sender": mail.sender,
                "subject": mail.subject,
                "raw": bytes(mail.raw).decode("utf-8", errors="replace"),
            }
            for mail in _mail(scope).order_by("received_at", "id")
        ],
        "outbound_messages": [
            {
                "id": out.pk,
                "channel": out.channel,
                "to": out.to,
                "subject": out.subject,
                "body": out.body,
                "state": out.state,
                "created_at": out.created_at.isoformat(),
                "sent_at": out.sent_at.isoformat() if out.sent_at else None,
            }
            for out in _outbox(scope).order_by("created_at", "id")
        ],
    }


def erase(message: announcements.Message) -> None:
    """Blank the customer's received mail and webhook bodies; cancel their unsent replies and blank them all."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    mail = _mail(scope)
    # A Message-ID stays (a repeat delivery is then still a duplicate) unless it names the customer.
    privacy.make_opaque(InboundMail, "external_id", mail.values_list("pk", flat=True), scope.needles)
    mail.update(raw=b"", sender="", subject="", problems=[], error="", kind_reason="")
    outbox = _outbox(scope)
    outbox.filter(state__in=[OutboundState.QUEUED, OutboundState.FAILED]).update(state=OutboundState.CANCELLED)
    WhatsAppTemplateSend.objects.filter(outbound__in=outbox).update(values=[])
    outbox.update(to="", subject="", body="", in_reply_to="", references="", error="")
    DeliveryStatus.objects.filter(contact_id__in=scope.contact_ids).update(error="")
    # A webhook body may carry several people's messages: it goes whole once it names the customer.
    bodies = privacy.pks_containing(WebhookDelivery, "body", scope.needles)
    WebhookDelivery.objects.filter(pk__in=bodies).update(body=b"", error="", summary={})


def register() -> None:
    privacy.register_export("channels", export)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
