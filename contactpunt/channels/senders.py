"""Senders of queued replies, one per channel.

A channel registers one function that delivers an `OutboundMessage` (the email channel over SMTP, web chat over
the customer's websocket, social and WhatsApp through their platform's API). A sender raises `SendError` when
delivery failed; `permanent=True` says retrying will not help. The worker's send job drains the outbox through them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contactpunt.channels.models import OutboundMessage

Sender = Callable[["OutboundMessage"], None]

_SENDERS: dict[str, Sender] = {}


class SendError(Exception):
    """Delivery failed; `permanent` when trying again cannot succeed (no address, a closed window, a refusal)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def register_sender(channel: str, sender: Sender) -> None:
    """Make `sender` deliver the queued replies of `channel` (called from an app's ready())."""
    _SENDERS[channel] = sender


def sender_for(channel: str) -> Sender | None:
    """The sender registered for `channel`, or None when replies on it cannot be sent yet."""
    return _SENDERS.get(channel)
