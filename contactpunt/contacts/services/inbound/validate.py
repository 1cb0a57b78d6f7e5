"""Checking and routing each inbound contact before the batch decides anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from contactpunt.contacts.models import (
    Queue,
)
from contactpunt.contacts.services.queues import Routing, route, unknown_queue_message
from contactpunt.contacts.services.types import FieldError, InboundContact
from contactpunt.customers.identities import IdentityKey, InvalidIdentity, normalise

MAX_TEXT = 1_000_000
# How far ahead of this server's clock a contact may have occurred (the sender's clock may run a little ahead).
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(slots=True)
class Prepared:
    index: int
    contact: InboundContact
    queue: Queue | None = None
    fallback_reason: str = ""
    identities: list[IdentityKey] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def load_queues(codes: Iterable[str]) -> dict[str, Queue]:
    return {q.code: q for q in Queue.objects.filter(code__in=set(codes), is_active=True)}


def validate(
    index: int,
    contact: InboundContact,
    queues: dict[str, Queue],
    region: str,
    routes: dict[tuple[str, str], Routing | None],
    *,
    latest: dt.datetime,
    unknown: Callable[[str], str] = unknown_queue_message,
) -> Prepared:
    """Check and route one contact; `latest` is the latest moment a contact may have occurred (a batch reads
    the clock once), `unknown` the error message for a queue code that names no active queue (a batch asks once
    per code)."""
    prepared = Prepared(index, contact)
    errors = prepared.errors
    queue = queues.get(contact.queue)
    if contact.strict_queue and queue is None:
        errors.append(FieldError("queue", "unknown_queue", unknown(contact.queue)))
    elif contact.strict_queue and queue is not None and contact.channel and contact.channel != queue.channel:
        errors.append(
            FieldError(
                "channel",
                "channel_mismatch",
                f"queue {queue.code!r} takes {queue.channel} contacts, not {contact.channel}",
            )
        )
    elif not contact.strict_queue:
        route_key = (contact.queue, contact.channel)
        if route_key not in routes:
            routes[route_key] = route(contact.queue, contact.channel, queues)
        routing = routes[route_key]
        if routing is None:
            errors.append(FieldError("queue", "unknown_queue", unknown(contact.queue)))
        else:
            queue = routing.queue
            prepared.fallback_reason = routing.fallback_reason
    prepared.queue = queue
    if not contact.source:
        errors.append(FieldError("source", "required", "a contact needs a source"))
    if contact.occurred_at.tzinfo is None:
        errors.append(FieldError("occurred_at", "naive_datetime", "occurred_at needs a time zone offset"))
    elif contact.occurred_at > latest:
        errors.append(FieldError("occurred_at", "in_future", "occurred_at lies in the future"))
    if len(contact.text) > MAX_TEXT:
        errors.append(FieldError("text", "too_long", f"text is longer than {MAX_TEXT} characters"))
    seen: set[IdentityKey] = set()
    for position, identity in enumerate(contact.identities):
        try:
            key = normalise(identity.kind, identity.value, namespace=identity.namespace, region=region)
        except InvalidIdentity as exc:
            errors.append(FieldError(f"identities[{position}].value", "invalid_identity", str(exc)))
            continue
        if key is not None and key not in seen:
            seen.add(key)
            prepared.identities.append(key)
    return prepared
