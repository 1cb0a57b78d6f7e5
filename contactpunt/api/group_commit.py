"""Group commit for the single-contact endpoint.

Concurrent `POST /contacts` requests in one server process are written together: while one batch
is in its transaction, the requests that arrive wait and then go in as the next batch, through the
same `receive_contacts` the bulk endpoint uses. Nothing waits on a timer, so a lone request is
written at once; under load, batches grow by themselves and the per-transaction cost is shared.

Each contact still gets its own result (created, duplicate, rejected with the fields named), and a
rejected contact writes nothing. Should a batch fail as a whole (the database went away, a bug),
its contacts are retried one by one, so one contact can never make another's request fail.

The writer runs outside any request, so nothing else would ever close its database connection:
like a request, each batch starts and ends with `close_old_connections()`, which drops a
connection that an error left unusable (PostgreSQL restarted, a network cut). The next batch then
opens a fresh one instead of failing on the dead one forever.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

from contactpunt.contacts.services.inbound import receive_contact, receive_contacts
from contactpunt.contacts.services.types import InboundContact, Received

logger = logging.getLogger(__name__)
A = TypeVar("A")
R = TypeVar("R")

MAX_BATCH = 100


@dataclass
class _LoopState:
    pending: list[tuple[InboundContact, asyncio.Future[Received]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


# One state per event loop: each server worker process (and each test request) has its own.
_states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()


@sync_to_async  # thread-sensitive: the calling request's own thread, where its connection lives
def _give_back_connection() -> None:
    """Close the calling request's database connection (back to the pool) before it waits for the writer.

    The request used it to check its token; held while it waits, with more requests waiting than the pool has
    connections, the writer finds none and waits for its own callers until the pool times out (every call a 503).
    Inside a transaction (a test's) the connection stays."""
    if not connection.in_atomic_block:
        connection.close()


async def submit(contact: InboundContact) -> Received:
    """Receive one contact, written together with whatever else arrives concurrently."""
    await _give_back_connection()
    loop = asyncio.get_running_loop()
    state = _states.setdefault(loop, _LoopState())
    future: asyncio.Future[Received] = loop.create_future()
    state.pending.append((contact, future))
    if state.writer is None or state.writer.done():
        # A blank context: the writer outlives the request that started it, so it must not run in
        # that request's thread-sensitive executor (Django's ASGI handler closes it at the end).
        state.writer = loop.create_task(_write_batches(state), context=contextvars.Context())
    return await future


async def _write_batches(state: _LoopState) -> None:
    while state.pending:
        batch, state.pending = state.pending[:MAX_BATCH], state.pending[MAX_BATCH:]
        contacts = [contact for contact, _future in batch]
        try:
            results: list[Received | BaseException] = list(
                await sync_to_async(_as_a_request, thread_sensitive=True)(receive_contacts, contacts)
            )
        except Exception:
            logger.exception("a batch of %d contacts failed; writing them one by one", len(batch))
            results = []
            for contact in contacts:
                try:
                    results.append(await sync_to_async(_as_a_request, thread_sensitive=True)(receive_contact, contact))
                except Exception as exc:
                    results.append(exc)
        for (_contact, future), result in zip(batch, results, strict=True):
            if future.done():
                continue  # the client went away
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


def _as_a_request(write: Callable[[A], R], argument: A) -> R:
    """Run one write with the connection handling of a request: a connection that an earlier
    error left unusable is closed before, and one that failed now is closed after."""
    _close_if_unusable()
    try:
        return write(argument)
    finally:
        _close_if_unusable()


def _close_if_unusable() -> None:
    # Inside an atomic block (a test running its request in this thread) the connection is not
    # ours to close, as Django's test client also leaves it open.
    if not connection.in_atomic_block:
        close_old_connections()
