"""Background work of the KPIs: keep the interval rollups current between reads (a periodic job)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from contactpunt.kpis import rollups
from contactpunt.ops.lanes import SHORT

REFRESH_EVERY = dt.timedelta(minutes=1)


@task(queue_name=SHORT)
def refresh_rollups() -> int:
    """Recompute the intervals of every contact whose events changed; return the intervals recomputed."""
    return rollups.refresh()
