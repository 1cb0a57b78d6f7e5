"""WhatsApp's 24-hour customer service window: free-form replies only within 24 hours of the customer's last
message on that number; after it, only an approved template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contactpunt.channels.meta.models import WHATSAPP_WINDOW
from contactpunt.contacts.models import Case, Channel, Contact, Direction


@dataclass(frozen=True, slots=True)
class Window:
    last_inbound_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool


def window_for(*, source: str, sender: str, now: dt.datetime) -> Window | None:
    """The window of the customer `sender` on the WhatsApp number `source`; None when they never wrote."""
    last = (
        Contact.objects.filter(channel=Channel.WHATSAPP, direction=Direction.INBOUND, source=source, sender=sender)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if last is None:
        return None
    closes_at = last + WHATSAPP_WINDOW
    return Window(last, closes_at, now < closes_at)


def case_window(case: Case, *, now: dt.datetime) -> Window | None:
    """The window of the customer of a WhatsApp case (by its latest inbound WhatsApp contact); None otherwise."""
    latest = (
        Contact.objects.filter(case=case, channel=Channel.WHATSAPP, direction=Direction.INBOUND)
        .order_by("-occurred_at")
        .only("source", "sender")
        .first()
    )
    if latest is None:
        return None
    return window_for(source=latest.source, sender=latest.sender, now=now)
