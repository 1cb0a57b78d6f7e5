"""Notices: what the product itself sends a customer about a case (a survey invitation), beside the agents' replies.

The channel adapters register a writer per channel in their own `ready()`, as they do for replies, and a function
that says which notices went out. A notice is no reply: it writes no contact and no `replied` event, and it changes
no status; the outbox row the writer makes is its record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contactpunt.contacts.models import Case, Contact


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """What a notice writer needs: the case it is about (None for a notice about no case, such as a journey
    moment's message: then `customer_id` names whom it is for), the contact it follows (if any), the channel, the
    recipient on that channel (an address, a number, a chat), a subject (where the channel has one) and the text.
    Outside a conversation WhatsApp takes only an approved template: `template` names it and `values` fill its
    variables in order (the text then is what the template says with them, for the record)."""

    case: Case | None
    contact: Contact | None
    channel: str
    to: str
    subject: str
    body: str
    customer_id: int | None = None
    template: str = ""
    values: tuple[str, ...] = ()


class NoticeError(ValueError):
    """The notice cannot be queued: no writer for the channel, or no recipient."""


NoticeWriter = Callable[[NoticeDraft], str]
#: The send times of the notices with these references that have gone out (reference -> when).
NoticeTimes = Callable[[Sequence[str]], dict[str, dt.datetime]]
_writers: dict[str, NoticeWriter] = {}
_times: list[NoticeTimes] = []


def register_notice_writer(channel: str, writer: NoticeWriter) -> None:
    """Let `writer` queue notices on `channel`; it returns the outbox row's reference (unique per row)."""
    _writers[channel] = writer


def unregister_notice_writer(channel: str) -> None:
    """Forget the writer of `channel` (tests use this)."""
    _writers.pop(channel, None)


def register_notice_times(times: NoticeTimes) -> None:
    """Let `times` tell when notices went out (the outbox owner registers it once)."""
    if times not in _times:
        _times.append(times)


def notice_channels() -> frozenset[str]:
    """The channels a notice can be sent on now."""
    return frozenset(_writers)


def queue_notice(draft: NoticeDraft) -> str:
    """Queue `draft` on its channel; return the outbox reference. Raise NoticeError when it cannot be queued."""
    writer = _writers.get(draft.channel)
    if writer is None:
        raise NoticeError(f"there is no outbox for {draft.channel} notices")
    if not draft.to.strip() or not draft.body.strip():
        raise NoticeError("a notice needs a recipient and a text")
    return writer(draft)


def sent_times(refs: Sequence[str]) -> dict[str, dt.datetime]:
    """When the notices with these references went out (those not sent yet are left out)."""
    found: dict[str, dt.datetime] = {}
    for times in _times:
        found.update(times(refs))
    return found
