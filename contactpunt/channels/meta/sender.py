"""The sender of SOCIAL and WHATSAPP replies through the Graph API of the account the customer wrote to.

- WhatsApp: POST /<phone number id>/messages, a text inside the 24-hour window, else only an approved template
  (a free-form reply outside it is refused as a permanent SendError, with the reason). A template that answers
  no contact (a journey moment's message) goes from its template's number.
- Messenger and Instagram messages: POST /<page or account id>/messages to the sender's id.
- A public comment: a public reply under it (POST /<comment id>/comments on Facebook, /<comment id>/replies on
  Instagram), or, once the conversation was moved to private, a private reply to the comment.
The platform's message id is kept (MetaSent), so delivery and read statuses find the reply.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactpunt.channels.meta import graph
from contactpunt.channels.meta.intake import link_statuses
from contactpunt.channels.meta.models import MetaAccount, MetaSent, Platform, WhatsAppTemplateSend
from contactpunt.channels.meta.window import window_for
from contactpunt.channels.models import OutboundMessage
from contactpunt.channels.senders import SendError
from contactpunt.contacts.models import Contact
from contactpunt.contacts.services.replies import OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE


def send_meta(outbound: OutboundMessage) -> None:
    """Deliver one SOCIAL or WHATSAPP outbox row; raise SendError (permanent when retrying cannot help)."""
    answering = outbound.contact
    if answering is None:
        account, path, payload = _unprompted(outbound)
    else:
        platform, _, account_id = answering.source.partition(":")
        found = (
            MetaAccount.objects.filter(platform=platform, account_id=account_id, is_active=True)
            .select_related("app")
            .first()
        )
        if found is None:
            raise SendError(f"no active Meta account for {answering.source}", permanent=True)
        account = found
        path, payload = _request(outbound, answering, account)
    answer = graph.post(
        base_url=account.app.graph_url,
        version=account.app.graph_version,
        path=path,
        token=account.access_token,
        payload=payload,
    )
    platform_id = _platform_id(answer)
    if platform_id:
        try:
            with transaction.atomic():
                sent = MetaSent.objects.create(outbound=outbound, account=account, platform_message_id=platform_id)
        except IntegrityError:
            return  # a stale claim sent it again; the first id is kept
        link_statuses(sent)


def _request(outbound: OutboundMessage, answering: Contact, account: MetaAccount) -> tuple[str, dict[str, Any]]:
    if account.platform == Platform.WHATSAPP:
        return f"{account.account_id}/messages", _whatsapp_payload(outbound, answering)
    reply_contact = Contact.objects.filter(
        source__in=[OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE], external_id=outbound.message_id
    ).first()
    is_public = reply_contact.is_public if reply_contact is not None else answering.is_public
    if answering.is_public and is_public:
        edge = "comments" if account.platform == Platform.FACEBOOK else "replies"
        return f"{answering.external_id}/{edge}", {"message": outbound.body}
    if answering.is_public:
        # Moved to private: a private reply to the comment (the person has no conversation with the page yet).
        return f"{account.account_id}/messages", {
            "recipient": {"comment_id": answering.external_id},
            "message": {"text": outbound.body},
        }
    return f"{account.account_id}/messages", {
        "recipient": {"id": outbound.to},
        "messaging_type": "RESPONSE",
        "message": {"text": outbound.body},
    }


def _whatsapp_payload(outbound: OutboundMessage, answering: Contact) -> dict[str, Any]:
    to = outbound.to.lstrip("+")
    template = WhatsAppTemplateSend.objects.filter(outbound=outbound).select_related("template").first()
    if template is not None:
        return _template_payload(to, template)
    window = window_for(source=answering.source, sender=answering.sender, now=timezone.now())
    if window is None or not window.is_open:
        since = f" (the customer's last message was at {window.last_inbound_at:%Y-%m-%d %H:%M} UTC)" if window else ""
        raise SendError(
            f"outside WhatsApp's 24-hour customer service window{since}: only an approved template can be sent",
            permanent=True,
        )
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": outbound.body}}


def _template_payload(to: str, template: WhatsAppTemplateSend) -> dict[str, Any]:
    if not template.template.is_approved:
        raise SendError(f"template {template.template.name} is not approved", permanent=True)
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": template.template.name,
            "language": {"code": template.template.language},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": str(v)} for v in template.values]}]
            if template.values
            else [],
        },
    }


def _unprompted(outbound: OutboundMessage) -> tuple[MetaAccount, str, dict[str, Any]]:
    """A message that answers nothing (a journey moment's WhatsApp template): sent from its template's number."""
    marked = WhatsAppTemplateSend.objects.filter(outbound=outbound).select_related("template__account__app").first()
    if marked is None or outbound.channel != Platform.WHATSAPP:
        raise SendError("the reply answers no inbound contact, so there is no account to send it from", permanent=True)
    account = marked.template.account
    if not account.is_active:
        raise SendError(f"the WhatsApp number {account.name} is not active", permanent=True)
    return account, f"{account.account_id}/messages", _template_payload(outbound.to.lstrip("+"), marked)


def _platform_id(answer: dict[str, Any]) -> str:
    messages = answer.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return str(messages[0].get("id", ""))[:255]
    return str(answer.get("message_id") or answer.get("id") or "")[:255]
