"""The daily job that makes the event log's monthly partitions ahead (`contacts.partitions`; PostgreSQL only)."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from contactpunt.contacts.partitions import ensure_partitions
from contactpunt.ops.lanes import LONG

logger = logging.getLogger(__name__)

PARTITIONS_EVERY = dt.timedelta(days=1)


@task(queue_name=LONG)  # DDL takes a short lock on the log: never in a reply's way
def make_partitions_ahead() -> list[str]:
    """Make this month's partition and the next three where missing; return the names made."""
    made = ensure_partitions()
    if made:
        logger.info("event log partitions made: %s", ", ".join(made))
    return made
