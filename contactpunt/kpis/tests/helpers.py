"""Build contact histories through the real services, in seconds after a start moment."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from contactpunt.contacts.models import Contact, Queue
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.people.models import User

_numbers = itertools.count(1)


def arrive(
    queue: Queue, at: dt.datetime, *, caller: str = "", channel: str = "", subject: str = "", thread: Any = None
) -> Contact:
    """Receive one inbound contact in `queue` at `at`, from `caller` (an email address or phone number)."""
    identities: tuple[IdentityInput, ...] = ()
    if caller:
        identities = (IdentityInput("email" if "@" in caller else "phone", caller),)
    kwargs: dict[str, Any] = {}
    if thread is not None:
        kwargs["thread"] = thread
    result = receive_contact(
        InboundContact(
            source="test",
            queue=queue.code,
            occurred_at=at,
            external_id=f"c{next(_numbers)}",
            channel=channel or queue.channel,
            identities=identities,
            subject=subject,
            **kwargs,
        )
    )
    assert result.contact_id is not None, result.errors
    return Contact.objects.get(pk=result.contact_id)


def event(contact: Contact, name: str, at: dt.datetime, agent: User | None = None, **extra: Any) -> int:
    """Record one event through record_contact_event; returns its id."""
    return record_contact_event(contact=contact, name=name, occurred_at=at, agent=agent, **extra).event_id


def call(
    queue: Queue,
    at: dt.datetime,
    *,
    wait: float,
    talk: float | None = None,
    wrap: float = 0.0,
    agent: User | None = None,
    caller: str = "",
) -> Contact:
    """A call queued at `at`: answered after `wait` s and talked `talk` s (wrap-up after), or
    abandoned after `wait` s when `talk` is None."""
    contact = arrive(queue, at, caller=caller)
    if talk is None:
        event(contact, "abandoned", at + dt.timedelta(seconds=wait))
        return contact
    answered = at + dt.timedelta(seconds=wait)
    event(contact, "answered", answered, agent)
    ended = answered + dt.timedelta(seconds=talk)
    event(contact, "ended", ended, agent)
    if wrap:
        event(contact, "wrapped", ended + dt.timedelta(seconds=wrap), agent)
    return contact
