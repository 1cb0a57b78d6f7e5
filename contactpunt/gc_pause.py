"""Keeping Python's cyclic garbage collector out of a batch's way.

A batch of a thousand inbound contacts makes a few hundred thousand short-lived objects (parsed JSON, validated
items, model instances, row tuples). Each 700 new objects start a collection, and every tenth of those a larger
one that walks all the objects made since the last full one: over a bulk call, a fifth of its time went to
collections that found almost nothing, since these objects are freed by their reference counts the moment the
batch lets go of them. `collection_paused()` holds the collector off for the batch; what it made in cycles is
collected at the next collection after it.

Threads share the collector: it runs again once the last of the batches running at the same time has ended,
and only when it was running before the first began (a caller that turned it off keeps it off).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_paused = 0  # batches inside collection_paused() now
_restore = False  # whether the collector ran before the first of them


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block without automatic garbage collection (reference counting still frees what it can)."""
    global _paused, _restore  # noqa: PLW0603 (one collector per process: its pause is process state)
    with _lock:
        if _paused == 0:
            _restore = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _restore:
                gc.enable()
