"""Dashboards read from a PostgreSQL replica when one is configured (`DATABASE_REPLICA_URL`).

A page that only shows figures (the KPI pages, the wallboard, insights, feedback and journey dashboards,
the exports of figures) is marked `@replica.dashboard`; while it runs, the router sends its reads to the
`replica` database. Everything else (the workspace, the API, the services, every write, the session and
the user of the request) stays on the primary, so an agent always reads what they just wrote. A dashboard
on a replica may lag the primary by the replication delay, which figures of a period can afford.

Without a replica, or with `REPLICA_READS` off (the test settings), nothing changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"
P = ParamSpec("P")
R = TypeVar("R")

_reading: ContextVar[bool] = ContextVar("contactpunt_replica_reads", default=False)


def active() -> bool:
    """Whether reads go to the replica now: inside a dashboard, with a replica configured and switched on."""
    return _reading.get() and REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", False)


@contextmanager
def reads() -> Iterator[None]:
    """Send the reads inside this block to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reading_connection() -> BaseDatabaseWrapper:
    """The connection a raw statement that only reads goes through: the replica's inside `reads()` (when there is
    one), as the router sends the ORM's reads; else the primary's."""
    return connections[REPLICA if active() else DEFAULT_DB_ALIAS]


def dashboard(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that only shows figures: its reads go to the replica (when there is one)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads():
            return view(*args, **kwargs)

    wrapper.reads_from_replica = True  # type: ignore[attr-defined]
    return wrapper


class ReplicaRouter:
    """Reads inside `reads()` to the replica; every write, and a write of a row read there, to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return REPLICA if active() else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and getattr(instance._state, "db", None) == REPLICA:
            return DEFAULT_DB_ALIAS  # never write through the replica, whatever the row was read from
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        databases = {obj1._state.db, obj2._state.db}
        return True if databases <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
