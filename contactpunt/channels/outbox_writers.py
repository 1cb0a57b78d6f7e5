"""The outbox writers the channels app registers for the contacts reply and notice services: email (and web-form
replies) through the email channel's outbox, and a queued outbox row for chat, social and WhatsApp, which those
channels' senders deliver; and when notices went out (their outbox rows' send times)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from contactpunt.channels.email.outbox import queue_email_notice, queue_email_reply
from contactpunt.channels.meta.models import Platform, WhatsAppTemplate, WhatsAppTemplateSend
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.webchat.models import ChatConversation
from contactpunt.contacts.models import Case, Channel, Contact
from contactpunt.contacts.services.notices import (
    NoticeDraft,
    NoticeError,
    register_notice_times,
    register_notice_writer,
)
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


def _queue_row(*, case: Case, contact: Contact | None, channel: str, to: str, subject: str, body: str) -> str:
    """An outbox row for the chat, social or WhatsApp sender; returns its reference."""
    row = OutboundMessage.objects.create(
        case=case,
        contact=contact,
        channel=channel,
        to=to[:320] or "-",
        subject=subject[:500],
        body=body,
        message_id=f"{uuid.uuid4().hex}@{channel}.contactpunt.invalid",
    )
    return row.message_id


def write_queued(draft: ReplyDraft) -> str:
    """Queue a reply for a chat, social, WhatsApp or web-form sender."""
    return _queue_row(case=draft.case, contact=draft.answering, channel=draft.channel, to=draft.to,
                      subject=draft.case.subject, body=draft.body)  # fmt: skip


def write_email_notice(draft: NoticeDraft) -> str:
    """Queue a notice by e-mail to `draft.to`, in the case's mail thread when it has one, with its own subject."""
    if "@" not in draft.to:
        raise NoticeError("there is no email address to send the notice to")
    if draft.case is None:
        return queue_email_notice(
            customer_id=draft.customer_id, to=draft.to, subject=draft.subject, body=draft.body
        ).message_id
    return queue_email_reply(case=draft.case, body=draft.body, to=draft.to, subject=draft.subject).message_id


def write_queued_notice(draft: NoticeDraft) -> str:
    """Queue a notice for the chat, social or WhatsApp sender (on a case: outside a conversation these channels
    take only approved templates); a WhatsApp notice about no case goes as the approved template it names."""
    if draft.case is None and draft.channel == Channel.WHATSAPP:
        return _write_whatsapp_template(draft)
    if draft.case is None:
        raise NoticeError(f"a {draft.channel} notice needs a case")
    return _queue_row(case=draft.case, contact=draft.contact, channel=draft.channel, to=draft.to,
                      subject=draft.subject, body=draft.body)  # fmt: skip


def _write_whatsapp_template(draft: NoticeDraft) -> str:
    """Queue the approved WhatsApp template `draft.template` (of an active WhatsApp number) to `draft.to`, its
    variables filled with `draft.values`, for the customer `draft.customer_id`; the sender sends it from the
    template's number. NoticeError when there is no such template or the number of values is wrong."""
    template = (
        WhatsAppTemplate.objects.filter(
            name=draft.template, is_approved=True, account__platform=Platform.WHATSAPP, account__is_active=True
        )
        .order_by("pk")
        .first()
        if draft.template
        else None
    )
    if template is None:
        raise NoticeError(f"there is no approved WhatsApp template {draft.template!r}")
    if len(draft.values) != len(template.variables):
        raise NoticeError(f"the template needs {len(template.variables)} values, not {len(draft.values)}")
    row = OutboundMessage.objects.create(
        customer_id=draft.customer_id,
        channel=Channel.WHATSAPP,
        to=draft.to[:320],
        subject=draft.subject[:500],
        body=template.render(list(draft.values)),
        message_id=f"{uuid.uuid4().hex}@{Channel.WHATSAPP}.contactpunt.invalid",
    )
    WhatsAppTemplateSend.objects.create(outbound=row, template=template, values=list(draft.values))
    return row.message_id


def write_chat_notice(draft: NoticeDraft) -> str:
    """Queue a notice as a line at the end of the case's web chat; NoticeError when the case has no conversation
    (a chat that came in by another route: the caller may send it another way)."""
    if draft.case is None or not ChatConversation.objects.filter(case_id=draft.case.pk).exists():
        raise NoticeError("the case has no web chat conversation")
    return write_queued_notice(draft)


def notice_times(refs: Sequence[str]) -> dict[str, dt.datetime]:
    """The send times of the outbox rows with these references that were sent."""
    sent: dict[str, dt.datetime] = {}
    refs = list(refs)
    for start in range(0, len(refs), 500):
        rows = OutboundMessage.objects.filter(message_id__in=refs[start : start + 500], state=OutboundState.SENT)
        sent.update((ref, at) for ref, at in rows.values_list("message_id", "sent_at") if at is not None)
    return sent


def register_writers() -> None:
    """Register the writers (from the channels app's ready(): the app that owns OutboundMessage writes it)."""
    register_outbox_writer(Channel.EMAIL, write_email)
    register_outbox_writer(Channel.WEBFORM, write_email)
    for channel in (Channel.CHAT, Channel.SOCIAL, Channel.WHATSAPP):
        register_outbox_writer(channel, write_queued)
    register_notice_writer(Channel.EMAIL, write_email_notice)
    register_notice_writer(Channel.CHAT, write_chat_notice)
    for channel in (Channel.SOCIAL, Channel.WHATSAPP):
        register_notice_writer(channel, write_queued_notice)
    register_notice_times(notice_times)
