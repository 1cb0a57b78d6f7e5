"""The periodic job that delivers failed announcements again (contactpunt.contacts.announcements): a subscriber
that failed (the figures' dirty marks, the message analysis's enqueue) gets them until it succeeds."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from contactpunt.contacts.announcements import retry_failed_deliveries
from contactpunt.ops.lanes import SHORT

REDELIVER_EVERY = dt.timedelta(minutes=1)


@task(queue_name=SHORT)
def redeliver_announcements() -> int:
    """Deliver the due failed announcements again; return how many were delivered."""
    delivered, _failed = retry_failed_deliveries()
    return delivered
