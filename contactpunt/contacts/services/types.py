"""The inputs and results of the contact services, shared by every channel, the API and the simulator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class IdentityInput:
    """An address as the channel gave it; normalised by the service."""

    kind: str
    value: str
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class AttachmentInput:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """What can join a contact to an earlier case.

    message_id is this message's own id (a later reply may refer to it); in_reply_to and
    references are the ids it answers; conversation_id is a chat session or social conversation.
    """

    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    conversation_id: str = ""


@dataclass(frozen=True, slots=True)
class InboundContact:
    """One inbound contact as any channel delivers it."""

    source: str
    queue: str
    occurred_at: dt.datetime
    external_id: str | None = None
    channel: str = ""
    identities: tuple[IdentityInput, ...] = ()
    customer_name: str = ""
    account_ref: str = ""
    language: str = ""
    subject: str = ""
    text: str = ""
    raw: bytes | None = None
    raw_content_type: str = ""
    thread: ThreadRef = field(default_factory=ThreadRef)
    attachments: tuple[AttachmentInput, ...] = ()
    is_public: bool = False
    ivr_path: tuple[str, ...] = ()
    # False for a call that ended in the voice menu: it was never offered to a queue.
    offered: bool = True
    # True refuses a queue that does not fit (the API: its caller is told, with the field named); by default such
    # a contact lands in its channel's fallback queue, flagged, so nothing a customer sent is refused.
    strict_queue: bool = False


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one field of the input, named as the API names it."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Received:
    """What became of one inbound contact."""

    outcome: Outcome
    contact_id: int | None = None
    case_id: int | None = None
    customer_id: int | None = None
    case_created: bool = False
    case_reopened: bool = False
    errors: tuple[FieldError, ...] = ()
