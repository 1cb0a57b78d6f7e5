"""Group commit for the single-contact endpoint.

Concurrent `POST /contacts` requests in one server process are written together: while one batch
is in its transaction, the requests that arrive wait and then go in as the next batch, through the
same `receive_contacts` the bulk endpoint uses. Before it takes a batch, the writer waits (at most
GATHER, a few milliseconds) for the requests that are on their way to it, giving back their
connections: they share the batch's transaction, its commit and each of its statements (a batch
costs the same dozen statements for one contact or for a hundred). A lone request does not wait.

Each contact still gets its own result (created, duplicate, rejected with the fields named), and a
rejected contact writes nothing. Should a batch fail as a whole (the database went away, a bug),
its contacts are retried one by one, so one contact can never make another's request fail.

The writer runs outside any request, so nothing else would ever close its database connection. It
keeps one connection while batches follow each other (no pool hand-out and health check per batch)
and gives it back to the pool when no contact waits. Each batch starts and ends by dropping a
connection that an error left unusable (PostgreSQL restarted, a network cut), so the next batch
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
#: How long the writer waits at most for the requests on their way before it takes a batch (seconds).
GATHER = 0.005


@dataclass
class _LoopState:
    pending: list[tuple[InboundContact, asyncio.Future[Received]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None
    arriving: int = 0  # requests on their way to `pending` (giving back their connections)


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
    loop = asyncio.get_running_loop()
    state = _states.setdefault(loop, _LoopState())
    state.arriving += 1
    try:
        await _give_back_connection()
    finally:
        state.arriving -= 1
    future: asyncio.Future[Received] = loop.create_future()
    state.pending.append((contact, future))
    if state.writer is None or state.writer.done():
        # A blank context: the writer outlives the request that started it, so it must not run in
        # that request's thread-sensitive executor (Django's ASGI handler closes it at the end).
        state.writer = loop.create_task(_write_batches(state), context=contextvars.Context())
    return await future


async def _write_batches(state: _LoopState) -> None:
    while state.pending:
        while state.pending:
            await _gather(state)
            await _write_batch(state)
        # Contacts that arrive while the connection goes back are written by this same writer, in the next round.
        try:
            await sync_to_async(_give_back_writer_connection, thread_sensitive=True)()
        except Exception:
            logger.exception("the group-commit writer could not give its database connection back")


async def _gather(state: _LoopState) -> None:
    """Wait, at most GATHER, while requests are on their way: they join the next batch."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GATHER
    while state.arriving and len(state.pending) < MAX_BATCH and loop.time() < deadline:
        await asyncio.sleep(GATHER / 10)


async def _write_batch(state: _LoopState) -> None:
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
    """Run one write on the writer's connection: a connection that an earlier error left unusable is
    closed before, and one that failed now is closed after."""
    _close_if_unusable()
    try:
        return write(argument)
    finally:
        _close_if_unusable()


def _close_if_unusable() -> None:
    # Inside an atomic block (a test running its request in this thread) the connection is not
    # ours to close, as Django's test client also leaves it open.
    if connection.in_atomic_block or connection.connection is None:
        return
    if connection.errors_occurred or connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]:
        # What close_old_connections() checks, less the age: the writer keeps a good connection between batches.
        if connection.is_usable() and connection.get_autocommit():
            connection.errors_occurred = False
        else:
            connection.close()


def _give_back_writer_connection() -> None:
    """No contact waits: the writer's connection goes back to the pool (a request's would at its end)."""
    if not connection.in_atomic_block:
        close_old_connections()
