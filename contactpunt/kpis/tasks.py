"""Background work of the KPIs: keep the interval rollups current between reads (a periodic job).

Live traffic dirties a few contacts a minute: the short lane recomputes them. A load of history (the demo's first
start, an import) dirties tens of thousands at once, minutes of work: that refresh goes to the long lane, so the
short lane's replies and live figures never wait behind it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from contactpunt.kpis import rollups, survey_snapshots
from contactpunt.kpis.models import DirtyContact
from contactpunt.kpis.views_support import Period, today
from contactpunt.ops import periodic
from contactpunt.ops.lanes import LONG, SHORT

REFRESH_EVERY = dt.timedelta(minutes=1)
SNAPSHOTS_EVERY = survey_snapshots.REFRESH_EVERY
#: More dirty contacts than this is a backfill, for the long lane (and the pages read the rollups as far as built).
LIVE_DIRTY = rollups.CATCHING_UP_FROM


@task(queue_name=SHORT)
def refresh_rollups() -> int:
    """Recompute the intervals of every contact whose events changed; return the intervals recomputed. A backfill
    is handed to the long lane (once: not while one waits or runs), and this run recomputes nothing."""
    if DirtyContact.objects.count() > LIVE_DIRTY:
        if not periodic.is_pending(refresh_rollups_backfill, now=timezone.now()):
            refresh_rollups_backfill.enqueue()
        return 0
    return rollups.refresh()


@task(queue_name=LONG)
def refresh_rollups_backfill() -> int:
    """Recompute the intervals of every dirty contact however many there are; return the intervals recomputed."""
    return rollups.refresh()


# Ahead of the long lane's backlog of text analysis (priority 0) and the reason model's training (5): the feedback
# pages read what this keeps; after the first start's figures (20) and shift plan (10).
@task(queue_name=LONG, priority=8)
def refresh_survey_snapshots() -> int:
    """Keep the slow survey figures (driver analysis, the FCR view) current for the feedback pages: this month's
    and last month's default scopes computed, every unsettled snapshot confirmed or recomputed; return how many were
    computed."""
    first = today().replace(day=1)
    this_month = Period.of(first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), "month")
    return survey_snapshots.refresh(timezone.now(), default_periods=[this_month, this_month.previous()])
