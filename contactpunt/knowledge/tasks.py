"""The knowledge app's background work: the knowledge owners' to-do flagged every hour, in the long lane (it reads the
week's contact reasons and searches for each growing one)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from contactpunt.knowledge import todo
from contactpunt.ops.lanes import LONG

FLAG_EVERY = dt.timedelta(hours=1)


@task(queue_name=LONG)
def flag_owner_tasks() -> int:
    """Flag the articles due for review and the uncovered growing reasons to their owners; return how many new."""
    return todo.refresh(today=timezone.localdate()).flagged
