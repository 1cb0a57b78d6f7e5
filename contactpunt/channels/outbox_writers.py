"""The outbox writers the channels app registers for the contacts reply service: email (and web-form replies)
through the email channel's outbox, and a queued outbox row for chat, social and WhatsApp, which those channels'
senders deliver."""

from __future__ import annotations

import uuid

from contactpunt.channels.email.outbox import queue_email_reply
from contactpunt.channels.models import OutboundMessage
from contactpunt.contacts.models import Channel
from contactpunt.contacts.services.replies import ReplyDraft, ReplyError, register_outbox_writer


def write_email(draft: ReplyDraft) -> str:
    """Queue an email reply threaded on the case's latest inbound mail, else to the contact's address
    (a web form gives one). Raise ReplyError when there is no address at all."""
    try:
        row = queue_email_reply(case=draft.case, body=draft.body)
    except ValueError:
        if "@" not in draft.to:
            raise ReplyError("there is no email address to reply to") from None
        row = queue_email_reply(case=draft.case, body=draft.body, to=draft.to)
    return row.message_id


def write_queued(draft: ReplyDraft) -> str:
    """Queue a reply for a chat, social, WhatsApp or web-form sender."""
    row = OutboundMessage.objects.create(
        case=draft.case,
        contact=draft.answering,
        channel=draft.channel,
        to=draft.to[:320] or "-",
        subject=draft.case.subject[:500],
        body=draft.body,
        message_id=f"{uuid.uuid4().hex}@{draft.channel}.contactpunt.invalid",
    )
    return row.message_id


def register_writers() -> None:
    """Register the writers (from the channels app's ready(): the app that owns OutboundMessage writes it)."""
    register_outbox_writer(Channel.EMAIL, write_email)
    register_outbox_writer(Channel.WEBFORM, write_email)
    for channel in (Channel.CHAT, Channel.SOCIAL, Channel.WHATSAPP):
        register_outbox_writer(channel, write_queued)
