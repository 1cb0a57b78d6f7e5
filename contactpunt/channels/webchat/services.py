"""The web chat's writes and reads: a visitor's message into the case, the written fallback, and the history.

The first message of a chat session arrives through the one inbound service as a CHAT contact joined to the
conversation's case (thread key: the conversation token). A session is one contact (DESIGN: a chat session is one
contact): while it waits or is being handled, the visitor's next messages are added to it; after the agent's reply
handled it, the visitor's next message is a new contact in the same case. Every message is kept, keyed by the
widget's own message id, so a message sent twice is stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from contactpunt.channels.webchat.models import ChatConversation, ChatMessageKey
from contactpunt.channels.webform.services import WrittenContact, submit_written, webform_queue
from contactpunt.contacts.models import CaseStatus, Channel, Contact, ContactStatus, Direction, Message, Queue
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.merges import final_case_ids
from contactpunt.contacts.services.messages import add_inbound_message
from contactpunt.contacts.services.queues import fallback_queue
from contactpunt.contacts.services.types import InboundContact, Outcome, Received, ThreadRef

SOURCE = "webchat"


class ChatRejected(ValueError):
    """The inbound service refused the message (the queue went away, a bad time)."""


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One message as the widget shows it."""

    id: str
    sender: str  # "visitor" or "agent"
    text: str
    at: str
    name: str = ""

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "from": self.sender, "text": self.text, "at": self.at, "name": self.name}


@dataclass(frozen=True, slots=True)
class Posted:
    conversation: ChatConversation
    line: ChatLine
    created: bool


def chat_queue(code: str) -> Queue | None:
    """The active chat queue with this code, or None."""
    return Queue.objects.filter(code=code, is_active=True, channel=Channel.CHAT).select_related("calendar").first()


def widget_queue(code: str) -> Queue:
    """The queue a widget with `data-queue=code` chats on: that chat queue, or (when there is none with this code)
    the chat fallback queue, so a visitor is never turned away; their contacts are flagged with the code asked."""
    return chat_queue(code) or fallback_queue(Channel.CHAT)


def find_conversation(queue: Queue, token: object) -> ChatConversation | None:
    """The conversation of `token` on `queue`, or None (a wrong or foreign token finds nothing)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return ChatConversation.objects.filter(token=token, queue=queue).first()


def line_for(message: Message) -> ChatLine:
    """The widget's view of a stored message (agents are shown by first name only)."""
    sender = "visitor" if message.direction == Direction.INBOUND else "agent"
    name = (message.author.first_name or "") if sender == "agent" and message.author else ""
    return ChatLine(f"m{message.pk}", sender, message.text, message.created_at.isoformat(), name)


def history(conversation: ChatConversation) -> list[ChatLine]:
    """The conversation's messages in order: the visitor's and the agents' public chat replies."""
    case_id = current_case_id(conversation)
    if case_id is None:
        return []
    visitor = ChatMessageKey.objects.filter(conversation=conversation).values("message_id")
    messages = (
        Message.objects.filter(case_id=case_id, is_internal=False)
        .filter(Q(pk__in=visitor) | Q(direction=Direction.OUTBOUND, contact__channel=Channel.CHAT))
        .select_related("author")
        .order_by("created_at", "id")
    )
    return [line_for(message) for message in messages]


def current_case_id(conversation: ChatConversation) -> int | None:
    """The conversation's case, or the case it was merged into (a merge moves the messages there)."""
    case_id = conversation.case_id
    if case_id is None:
        return None
    return final_case_ids([case_id])[case_id]


def post_message(
    *,
    queue: Queue,
    conversation: ChatConversation | None,
    client_id: str,
    text: str,
    origin: str = "",
    language: str = "",
    at: dt.datetime | None = None,
    asked_queue: str = "",
    visitor: str = "",
) -> Posted:
    """Store the visitor's message (a new conversation when `conversation` is None). A message id seen before in
    the conversation returns the stored message with created=False. Raise ChatRejected when the inbound service
    refuses it. `asked_queue` is the code the widget asked for when it differs from `queue` (the fallback); `visitor`
    is the widget's self-service visitor id, kept on a new conversation."""
    at = at or timezone.now()
    with transaction.atomic():
        if conversation is None:
            conversation = ChatConversation.objects.create(
                token=secrets.token_urlsafe(32),
                queue=queue,
                origin=origin[:200],
                language=language[:8],
                visitor=visitor[:32],
            )
        else:
            conversation = ChatConversation.objects.select_for_update().get(pk=conversation.pk)
            seen = ChatMessageKey.objects.filter(conversation=conversation, client_id=client_id).first()
            if seen is not None:
                return Posted(conversation, line_for(seen.message), False)
        session = _open_session(conversation)
        if session is not None:
            message = add_inbound_message(
                contact=session,
                text=text,
                raw=_raw(client_id, text),
                raw_content_type="application/json",
                occurred_at=at,
            )
            conversation.case_id = session.case_id
        else:
            message = _receive(asked_queue or queue.code, conversation, client_id, text, at)
            conversation.case_id = message.case_id
        ChatMessageKey.objects.create(conversation=conversation, client_id=client_id, message=message)
        conversation.last_message_at = at
        conversation.save(update_fields=["case", "last_message_at"])
    return Posted(conversation, line_for(message), True)


def _open_session(conversation: ChatConversation) -> Contact | None:
    case_id = current_case_id(conversation)
    if case_id is None:
        return None
    return (
        Contact.objects.filter(
            case_id=case_id,
            case__status__in=[CaseStatus.OPEN, CaseStatus.PENDING],
            source=SOURCE,
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS],
        )
        .order_by("-occurred_at", "-id")
        .first()
    )


def _receive(queue_code: str, conversation: ChatConversation, client_id: str, text: str, at: dt.datetime) -> Message:
    received = receive_contact(
        InboundContact(
            source=SOURCE,
            queue=queue_code,
            occurred_at=at,
            external_id=f"{conversation.pk}:{client_id}"[:255],
            channel=Channel.CHAT,
            language=conversation.language,
            text=text,
            raw=_raw(client_id, text),
            raw_content_type="application/json",
            thread=ThreadRef(conversation_id=conversation.token),
        )
    )
    if received.outcome == Outcome.REJECTED or received.contact_id is None:
        raise ChatRejected("; ".join(error.message for error in received.errors))
    message = Message.objects.filter(contact_id=received.contact_id).order_by("id").first()
    if message is None:
        raise ChatRejected("the contact has no message")
    return message


def _raw(client_id: str, text: str) -> bytes:
    return json.dumps({"type": "message", "id": client_id, "text": text}, ensure_ascii=False).encode()


def leave_written_message(
    *,
    queue: Queue,
    conversation: ChatConversation | None,
    written: WrittenContact,
    at: dt.datetime | None = None,
    visitor: str = "",
    origin: str = "",
) -> Received:
    """Store what the visitor wrote when no agent could chat, as a written contact answered by email. It joins the
    conversation's case when there is one; with no web-form queue it lands in the fallback queue, flagged.

    A message left without chatting first gets a conversation of its own that records the widget's self-service
    `visitor` id and the case (created with the contact, in one transaction), so the knowledge base counts it as
    a contact of that visitor as it counts a chat."""
    target = webform_queue(department_id=queue.department_id)
    if conversation is not None:
        written = replace(written, conversation_id=conversation.token)
    if not written.subject:  # the case would read "Web form from …": say where it was left
        with translation.override(settings.LANGUAGE_CODE):
            written = replace(written, subject=gettext("Message left in the chat"))
    at = at or timezone.now()
    with transaction.atomic():
        received = submit_written(written=written, queue=target, source=SOURCE, at=at)
        if conversation is None and visitor and received.outcome == Outcome.CREATED and received.case_id is not None:
            ChatConversation.objects.create(
                token=secrets.token_urlsafe(32),
                queue=queue,
                case_id=received.case_id,
                origin=origin[:200],
                language=written.language[:8],
                visitor=visitor[:32],
                created_at=at,
                last_message_at=at,
            )
    return received
