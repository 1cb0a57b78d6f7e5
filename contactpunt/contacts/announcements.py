"""What `contacts` announces, after commit, to whoever subscribed.

Other apps (insights, feedback, kpis, the live views) subscribe in their AppConfig.ready();
`contacts` imports none of them. Subscribers run only once the transaction that caused the
announcement has committed, so they never see rows that were rolled back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
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
    #: Delivered at once, inside the erasing transaction (see `announce_now`): every app erases its rows.
    CUSTOMER_ERASED = "customer_erased"


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, by ids only: subscribers load what they need."""

    name: Announcement
    ids: dict[str, int] = field(default_factory=dict)


Subscriber = Callable[[Message], None]
BatchSubscriber = Callable[[Sequence[Message]], None]
_subscribers: dict[Announcement, list[Subscriber]] = defaultdict(list)
_batch_subscribers: dict[Announcement, list[BatchSubscriber]] = defaultdict(list)
_now_subscribers: dict[Announcement, list[Subscriber]] = defaultdict(list)


def subscribe(name: Announcement, subscriber: Subscriber) -> None:
    """Call `subscriber` after commit for every announcement `name`. Subscribing twice is a no-op."""
    if subscriber not in _subscribers[name]:
        _subscribers[name].append(subscriber)


def subscribe_many(name: Announcement, subscriber: BatchSubscriber) -> None:
    """Call `subscriber` after commit with all announcements `name` that one batch made at once
    (a thousand imported contacts are one call, not a thousand). Subscribing twice is a no-op."""
    if subscriber not in _batch_subscribers[name]:
        _batch_subscribers[name].append(subscriber)


def subscribe_now(name: Announcement, subscriber: Subscriber) -> None:
    """Call `subscriber` at once, inside the announcing transaction, for every `announce_now(name)`.

    For work that must succeed or undo the whole change (a customer's erasure): an exception in the
    subscriber propagates and rolls the transaction back. Subscribing twice is a no-op."""
    if subscriber not in _now_subscribers[name]:
        _now_subscribers[name].append(subscriber)


def announce_now(name: Announcement, **ids: int) -> None:
    """Deliver `name` to its `subscribe_now` subscribers at once, in this transaction; errors propagate."""
    message = Message(name, ids)
    for subscriber in list(_now_subscribers.get(name, ())):
        subscriber(message)


def unsubscribe(name: Announcement, subscriber: Subscriber | BatchSubscriber) -> None:
    """Stop calling `subscriber` for `name` (tests use this to clean up)."""
    for registry in (_subscribers, _batch_subscribers, _now_subscribers):
        if subscriber in registry[name]:
            registry[name].remove(subscriber)  # type: ignore[arg-type]


def announce(name: Announcement, **ids: int) -> None:
    """Announce `name` once the current transaction commits (at once outside a transaction)."""
    announce_many(name, [ids])


def announce_many(name: Announcement, ids: Sequence[dict[str, int]]) -> None:
    """Announce `name` for each item of `ids`, delivered together once the transaction commits."""
    if not ids or not (_subscribers.get(name) or _batch_subscribers.get(name)):
        return
    messages = [Message(name, item) for item in ids]
    transaction.on_commit(lambda: _deliver(name, messages))


def _deliver(name: Announcement, messages: list[Message]) -> None:
    for batch_subscriber in list(_batch_subscribers.get(name, ())):
        try:
            batch_subscriber(messages)
        except Exception:
            # One broken subscriber must not stop the others, nor undo the committed contacts.
            logger.exception("subscriber %r failed on %d messages %s", batch_subscriber, len(messages), name)
    for subscriber in list(_subscribers.get(name, ())):
        for message in messages:
            try:
                subscriber(message)
            except Exception:
                logger.exception("subscriber %r failed on %s", subscriber, name)
