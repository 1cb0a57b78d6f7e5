"""Build inbound messages and wrap-ups through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from contactpunt.contacts.models import Contact, ContactReason, Queue
from contactpunt.contacts.services.case_actions import wrap_up
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.people.models import User

_numbers = itertools.count(1)


def receive_texts(queue: Queue, texts: list[str], at: dt.datetime) -> list[Contact]:
    """Receive one inbound contact per text in `queue` (one batch, one customer each), a minute apart."""
    batch = []
    for offset, text in enumerate(texts):
        number = next(_numbers)
        batch.append(
            InboundContact(
                source="insights-test",
                queue=queue.code,
                occurred_at=at + dt.timedelta(minutes=offset),
                external_id=f"m{number}",
                channel=queue.channel,
                identities=(IdentityInput("email", f"klant{number}@example.nl"),),
                subject="Vraag",
                text=text,
            )
        )
    results = receive_contacts(batch)
    ids = [r.contact_id for r in results]
    assert all(ids), [r.errors for r in results]
    return list(Contact.objects.filter(pk__in=ids).order_by("pk"))


def wrap(contact: Contact, agent: User, reason: ContactReason) -> None:
    """Wrap up the contact's case with `reason`, as the agent would."""
    wrap_up(case=contact.case, by=agent, reason=reason)
