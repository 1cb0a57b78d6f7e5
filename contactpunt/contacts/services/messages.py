"""A further message in a contact that is still going on (the next lines of a chat session).

The first message of a contact arrives with it through the inbound service; this adds the ones after it, so a
channel adapter never writes `Message` or `Case` rows itself.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Case, Contact, Direction, Message


def add_inbound_message(
    *,
    contact: Contact,
    text: str,
    raw: bytes = b"",
    raw_content_type: str = "",
    occurred_at: dt.datetime,
) -> Message:
    """Store the customer's next message in `contact` (in the contact's case), move the case's last inbound time
    forward (never back: a late delivery keeps the newer time) and announce the case as updated after commit."""
    with transaction.atomic():
        message = Message.objects.create(
            contact=contact,
            case_id=contact.case_id,
            direction=Direction.INBOUND,
            text=text,
            raw=raw,
            raw_content_type=raw_content_type,
            created_at=occurred_at,
        )
        Case.objects.filter(
            Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=occurred_at), pk=contact.case_id
        ).update(last_inbound_at=occurred_at)
        announce(Announcement.CASE_UPDATED, case_id=contact.case_id, contact_id=contact.pk)
    return message
