"""How contacts find the case they belong to: thread keys (email ids, conversations) and case tokens."""

from __future__ import annotations

import re

from contactpunt.contacts.services.types import InboundContact

CASE_TOKEN = re.compile(r"\[CP-(\d{1,18})\]")


def reply_keys(contact: InboundContact) -> list[str]:
    """Keys of earlier messages this one answers, most specific first."""
    keys: list[str] = []
    thread = contact.thread
    if thread.in_reply_to:
        keys.append(message_thread_key(thread.in_reply_to))
    keys.extend(message_thread_key(ref) for ref in reversed(thread.references) if ref)
    if thread.conversation_id:
        keys.append(conversation_key(contact))
    return keys


def own_keys(contact: InboundContact) -> list[str]:
    """Keys a later message may carry to join the case this contact ends up in."""
    keys = []
    if contact.thread.message_id:
        keys.append(message_thread_key(contact.thread.message_id))
    if contact.thread.conversation_id:
        keys.append(conversation_key(contact))
    return keys


def message_thread_key(message_id: str) -> str:
    """The thread key an email Message-ID is stored under."""
    return "msg:" + message_id.strip().strip("<>").strip()[:480]


def conversation_key(contact: InboundContact) -> str:
    # The source (a WhatsApp number, a social page, a chat widget) scopes the conversation id.
    return f"conv:{contact.source}:{contact.thread.conversation_id}"[:500]


def token_case_ids(contact: InboundContact) -> list[int]:
    return [int(match) for match in CASE_TOKEN.findall(contact.subject)]
