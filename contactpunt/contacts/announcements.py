"""What `contacts` announces, after commit, to whoever subscribed.

Other apps (insights, feedback, kpis, the live views) subscribe in their AppConfig.ready();
`contacts` imports none of them. Subscribers run only once the transaction that caused the
announcement has committed, so they never see rows that were rolled back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

logger = logging.getLogger(__name__)


class Announcement(StrEnum):
    CONTACT_RECEIVED = "contact_received"
    CONTACT_EVENT_RECORDED = "contact_event_recorded"
    AGENT_STATE_CHANGED = "agent_state_changed"
    CASE_RESOLVED = "case_resolved"
    CASE_REOPENED = "case_reopened"
    CUSTOMERS_MERGED = "customers_merged"
    CASE_ASSIGNED = "case_assigned"
    CASE_UPDATED = "case_updated"
    WORK_SESSION_CHANGED = "work_session_changed"


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, by ids only: subscribers load what they need."""

    name: Announcement
    ids: dict[str, int] = field(default_factory=dict)


Subscriber = Callable[[Message], None]
_subscribers: dict[Announcement, list[Subscriber]] = defaultdict(list)


def subscribe(name: Announcement, subscriber: Subscriber) -> None:
    """Call `subscriber` after commit for every announcement `name`. Subscribing twice is a no-op."""
    if subscriber not in _subscribers[name]:
        _subscribers[name].append(subscriber)


def unsubscribe(name: Announcement, subscriber: Subscriber) -> None:
    """Stop calling `subscriber` for `name` (tests use this to clean up)."""
    if subscriber in _subscribers[name]:
        _subscribers[name].remove(subscriber)


def announce(name: Announcement, **ids: int) -> None:
    """Announce `name` once the current transaction commits (at once outside a transaction)."""
    if not _subscribers.get(name):
        return
    message = Message(name, ids)
    transaction.on_commit(lambda: _deliver(message))


def _deliver(message: Message) -> None:
    for subscriber in list(_subscribers.get(message.name, ())):
        try:
            subscriber(message)
        except Exception:
            # One broken subscriber must not stop the others, nor undo the committed contact.
            logger.exception("subscriber %r failed on %s", subscriber, message.name)
