"""Agent replies to the visitor: the chat sender of the outbox, and delivery as soon as a reply is committed.

`send_chat` is the sender registered for CHAT: it pushes the reply to the conversation's channel-layer group (every
open widget of the visitor); the drain loop (contactpunt.channels.senders) then marks the row sent and writes the
`replied` event. A visitor who is not connected reads the reply in the history when they come back. So that a reply
reaches the visitor live and not at the worker's next round, the reply's announcement claims the row at once
(QUEUED -> SENDING, a conditional UPDATE: the worker never sends it twice) and sends it through the same drain step.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Q
from django.utils import timezone

from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.senders import SendError, register_sender, send_one
from contactpunt.channels.webchat.models import ChatConversation
from contactpunt.channels.webchat.services import ChatLine, line_for
from contactpunt.contacts import announcements
from contactpunt.contacts.models import Channel, Contact, Direction, Message
from contactpunt.contacts.services.replies import OUTBOX_SOURCE


def send_chat(outbound: OutboundMessage) -> None:
    """Push the reply to the visitor's widgets. Raise SendError(permanent=True) when the case has
    no web chat conversation to deliver to."""
    # A case merged into the replied one keeps its conversation: the visitor still waits there.
    conversation = (
        ChatConversation.objects.filter(Q(case_id=outbound.case_id) | Q(case__merged_into_id=outbound.case_id))
        .order_by("-last_message_at", "-id")
        .first()
    )
    if conversation is None:
        raise SendError("the case has no web chat conversation", permanent=True)
    message = (
        Message.objects.filter(contact__source=OUTBOX_SOURCE, contact__external_id=outbound.message_id)
        .select_related("author")
        .first()
    )
    now = timezone.now()
    line = line_for(message) if message else ChatLine(f"o{outbound.pk}", "agent", outbound.body, now.isoformat())
    layer = get_channel_layer()
    if layer is None:
        raise SendError("no channel layer is configured", permanent=True)
    async_to_sync(layer.group_send)(conversation.group, {"type": "chat.reply", "message": line.as_json()})


def deliver_now(announcement: announcements.Message) -> None:
    """On a reply's announcement, claim its chat outbox row and send it (the worker retries what fails here)."""
    contact_id = announcement.ids.get("contact_id")
    if contact_id is None:
        return
    contact = (
        Contact.objects.filter(pk=contact_id, direction=Direction.OUTBOUND, channel=Channel.CHAT)
        .only("external_id")
        .first()
    )
    if contact is None or not contact.external_id:
        return
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(message_id=contact.external_id, state=OutboundState.QUEUED).update(
        state=OutboundState.SENDING, claimed_at=now
    )
    if not claimed:
        return
    send_one(OutboundMessage.objects.get(message_id=contact.external_id), now=now)


def register() -> None:
    """Register the chat sender and the live delivery (from the channels app's ready())."""
    register_sender(Channel.CHAT, send_chat)
    announcements.subscribe(announcements.Announcement.CASE_UPDATED, deliver_now)
