"""What `contacts` announces, after commit, to whoever subscribed.

Other apps (insights, feedback, kpis, the live views) subscribe in their AppConfig.ready();
`contacts` imports none of them. Subscribers run only once the transaction that caused the
announcement has committed, so they never see rows that were rolled back.

Bookkeeping that must exist exactly when the announced rows do (the KPI dirty marks) subscribes with
`subscribe_within` instead: it runs inside the announcing transaction, in a savepoint of its own, so it
commits or rolls back with the contacts, costs no commit of its own, and a crash between two commits can
never leave a stored contact unmarked. Its failure rolls back its savepoint only and is recorded, after
commit, for the retry job like any other. A writer that can run its transaction again (the inbound batch) asks
for them without savepoints (`within_unguarded`, two statements fewer per subscriber): a failure then raises
`WithinFailed`, the writer rolls its transaction back and runs it again in the guarded way above, so the
contacts still commit and the failure is still recorded.

A subscriber that fails (an exception, the database gone, a task that cannot be enqueued) does not stop the
others; the announcements it failed on are recorded (`FailedDelivery`) and delivered to it again by the
periodic job `retry_failed_deliveries` until it succeeds. Subscribers are therefore idempotent.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

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
    #: An agent's reply made from a response template (ids: message_id, template_id, case_id), once per template.
    REPLY_FROM_TEMPLATE = "reply_from_template"
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
_within_subscribers: dict[Announcement, list[BatchSubscriber]] = defaultdict(list)


def subscribe(name: Announcement, subscriber: Subscriber) -> None:
    """Call `subscriber` after commit for every announcement `name`. Subscribing twice is a no-op."""
    if subscriber not in _subscribers[name]:
        _subscribers[name].append(subscriber)


def subscribe_many(name: Announcement, subscriber: BatchSubscriber) -> None:
    """Call `subscriber` after commit with all announcements `name` that one batch made at once
    (a thousand imported contacts are one call, not a thousand). Subscribing twice is a no-op."""
    if subscriber not in _batch_subscribers[name]:
        _batch_subscribers[name].append(subscriber)


def subscribe_within(name: Announcement, subscriber: BatchSubscriber) -> None:
    """Call `subscriber` inside the announcing transaction (in a savepoint), with the announcements of one
    `announce_many` call. For writes that belong with the announced rows; it must not read other apps'
    uncommitted state or do slow work. Subscribing twice is a no-op."""
    if subscriber not in _within_subscribers[name]:
        _within_subscribers[name].append(subscriber)


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
    for registry in (_subscribers, _batch_subscribers, _now_subscribers, _within_subscribers):
        if subscriber in registry[name]:
            registry[name].remove(subscriber)  # type: ignore[arg-type]


def announce(name: Announcement, **ids: int) -> None:
    """Announce `name` once the current transaction commits (at once outside a transaction)."""
    announce_many(name, [ids])


def announce_many(name: Announcement, ids: Sequence[dict[str, int]]) -> None:
    """Announce `name` for each item of `ids`: to the `subscribe_within` subscribers at once, in this
    transaction; to the others together once the transaction commits (at once inside `delivered_at_once`)."""
    if not ids or not (_subscribers.get(name) or _batch_subscribers.get(name) or _within_subscribers.get(name)):
        return
    messages = [Message(name, item) for item in ids]
    for within in list(_within_subscribers.get(name, ())):
        _deliver_within(name, within, messages)
    if not (_subscribers.get(name) or _batch_subscribers.get(name)):
        return
    if _at_once.get():
        _deliver(name, messages, guard=transaction.atomic)
        return
    transaction.on_commit(lambda: _deliver(name, messages))


class WithinFailed(Exception):
    """A `subscribe_within` subscriber failed inside `within_unguarded`: roll back and run the transaction again."""


_unguarded: contextvars.ContextVar[bool] = contextvars.ContextVar("contactpunt_within_unguarded", default=False)


@contextlib.contextmanager
def within_unguarded() -> Iterator[None]:
    """Within this block, run the `subscribe_within` subscribers without a savepoint each; one that fails raises
    `WithinFailed` (the transaction is then unusable on PostgreSQL, or holds the subscriber's half-done writes on
    SQLite). For a writer that then rolls back and runs its transaction again outside this block."""
    token = _unguarded.set(True)
    try:
        yield
    finally:
        _unguarded.reset(token)


def _deliver_within(name: Announcement, subscriber: BatchSubscriber, messages: list[Message]) -> None:
    if _unguarded.get():
        try:
            subscriber(messages)
        except Exception as error:
            raise WithinFailed(f"{subscriber_name(subscriber)} failed on {name}") from error
        return
    try:
        with transaction.atomic():  # a savepoint inside the caller's transaction, a transaction outside one
            subscriber(messages)
    except Exception as error:
        # The contacts still commit; the subscriber gets these messages again from the retry job.
        logger.exception("subscriber %r failed on %d messages %s", subscriber, len(messages), name)
        failure = error
        transaction.on_commit(lambda: _record_failure(name, subscriber, messages, failure))


_at_once: contextvars.ContextVar[bool] = contextvars.ContextVar("contactpunt_announce_at_once", default=False)


@contextlib.contextmanager
def delivered_at_once() -> Iterator[None]:
    """Within this block, deliver each announcement at once, inside the announcing transaction, each subscriber in
    a savepoint of its own (a failing one is recorded as after a commit and undoes only its own writes).

    For one long transaction that writes a whole history (the demo's first start): its subscribers' work is done
    batch by batch as the history is written (the progress line shows it), instead of all after the one commit
    while the line already says done, and what a later batch reads (a resolved case's survey invitation) is
    there as it would be live. A rollback undoes the subscribers' rows with the rest."""
    token = _at_once.set(True)
    try:
        yield
    finally:
        _at_once.reset(token)


def delivering_at_once() -> bool:
    """Whether announcements are delivered at once here (inside `delivered_at_once`): a subscriber has run, or
    failed and been recorded, by the time `announce_many` returns."""
    return _at_once.get()


def subscriber_name(subscriber: Callable[..., None]) -> str:
    """The name a failed delivery records its subscriber by: module and qualified name."""
    return f"{subscriber.__module__}.{getattr(subscriber, '__qualname__', repr(subscriber))}"[:200]


def _deliver(
    name: Announcement,
    messages: list[Message],
    *,
    guard: Callable[[], contextlib.AbstractContextManager[object]] = (contextlib.nullcontext),
) -> None:
    for batch_subscriber in list(_batch_subscribers.get(name, ())):
        try:
            with guard():
                batch_subscriber(messages)
        except Exception as error:
            # One broken subscriber must not stop the others, nor undo the committed contacts.
            logger.exception("subscriber %r failed on %d messages %s", batch_subscriber, len(messages), name)
            _record_failure(name, batch_subscriber, messages, error)
    for subscriber in list(_subscribers.get(name, ())):
        failed: list[Message] = []
        last_error: Exception | None = None
        for message in messages:
            try:
                with guard():
                    subscriber(message)
            except Exception as error:
                logger.exception("subscriber %r failed on %s", subscriber, name)
                failed.append(message)
                last_error = error
        if last_error is not None:
            _record_failure(name, subscriber, failed, last_error)


#: Failures that could not be recorded (the database was unreachable): recorded by the next retry in this process.
_unrecorded: list[tuple[str, str, list[dict[str, int]], str]] = []


def _record_failure(
    name: Announcement, subscriber: Callable[..., None], messages: list[Message], error: Exception
) -> None:
    entry = (
        str(name),
        subscriber_name(subscriber),
        [m.ids for m in messages],
        f"{type(error).__name__}: {error}"[:2000],
    )
    try:
        _store_failures([entry])
    except Exception:
        logger.exception("could not record the failed delivery of %s to %s; kept in memory", name, entry[1])
        _unrecorded.append(entry)


def _store_failures(entries: list[tuple[str, str, list[dict[str, int]], str]]) -> None:
    from contactpunt.contacts.models import FailedDelivery

    now = timezone.now()
    with transaction.atomic():
        FailedDelivery.objects.bulk_create(
            FailedDelivery(announcement=name, subscriber=path, ids=ids, error=error, failed_at=now, next_attempt_at=now)
            for name, path, ids, error in entries
        )


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after `attempts` failures: 1, 2, 4 ... minutes, at most 6 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


#: A claimed delivery is not taken by another worker for this long (a crash mid-retry frees it after).
CLAIM = dt.timedelta(minutes=10)


def retry_failed_deliveries(*, now: dt.datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Deliver every failed delivery that is due to its subscriber again; return (delivered, failed again).

    A row is claimed with UPDATE ... WHERE next_attempt_at = <the value read>, so two workers never retry it
    both. A success deletes it; a failure records the error and waits longer (`retry_delay`)."""
    from contactpunt.contacts.models import FailedDelivery

    now = now or timezone.now()
    if _unrecorded:
        pending = list(_unrecorded)
        _store_failures(pending)
        del _unrecorded[: len(pending)]
    delivered = failed = 0
    for row in FailedDelivery.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk")[:limit]:
        claimed = FailedDelivery.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at).update(
            next_attempt_at=now + CLAIM
        )
        if not claimed:
            continue
        try:
            _redeliver(row.announcement, row.subscriber, row.ids)
        except Exception as error:
            logger.warning("retrying %s for %s failed again: %s", row.announcement, row.subscriber, error)
            failed += 1
            FailedDelivery.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1,
                error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=now + retry_delay(row.attempts + 1),
            )
        else:
            delivered += 1
            FailedDelivery.objects.filter(pk=row.pk).delete()
    return delivered, failed


class NoSuchSubscriber(LookupError):
    """The recorded subscriber no longer subscribes to the announcement (the code changed since)."""


def _redeliver(name: str, path: str, ids: list[dict[str, int]]) -> None:
    announcement = Announcement(name)
    messages = [Message(announcement, item) for item in ids]
    for batch_subscriber in (*_within_subscribers.get(announcement, ()), *_batch_subscribers.get(announcement, ())):
        if subscriber_name(batch_subscriber) == path:
            batch_subscriber(messages)
            return
    for subscriber in _subscribers.get(announcement, ()):
        if subscriber_name(subscriber) == path:
            for message in messages:
                subscriber(message)
            return
    raise NoSuchSubscriber(f"{path} does not subscribe to {name}")
