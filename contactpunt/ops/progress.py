"""Progress of a running job, for the admin's page of the worker's lanes.

The lane worker marks which task row it is running (`running`); a long job calls `report` at each stage and the
row's JobProgress is written. Outside a worker (a test, a command run by hand, the immediate backend) `report`
does nothing, so jobs call it unconditionally.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from contactpunt.ops.models import JobProgress

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("contactpunt_running_task", default=None)


@contextmanager
def running(task_id: str) -> Iterator[None]:
    """Within this block, `report` writes the progress of the task row `task_id`."""
    token = _current.set(task_id)
    try:
        yield
    finally:
        _current.reset(token)


def report(stage: str, *, done: int = 0, total: int | None = None) -> None:
    """Record that the running job is at `stage` (an English message id marked with gettext_noop), `done` of
    `total` steps. Does nothing outside a lane worker."""
    task_id = _current.get()
    if task_id is None:
        return
    JobProgress.objects.update_or_create(
        task_id=uuid.UUID(task_id),
        defaults={"stage": stage[:200], "done": max(0, done), "total": total, "updated_at": timezone.now()},
    )
