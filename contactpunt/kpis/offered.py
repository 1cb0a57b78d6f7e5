"""Offered contacts per quarter hour, the forecast's history: the rollups for the settled part (the intervals a dirty
contact touched and the last hour before now from the events), so a year of history costs one grouped query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from django.db.models import Sum
from django.utils import timezone

from contactpunt.kpis.facts import CONTACT, load_units
from contactpunt.kpis.intervals import INTERVAL, interval_start
from contactpunt.kpis.models import IntervalRollup
from contactpunt.kpis.rollups import SETTLED, stale_intervals, units_of
from contactpunt.kpis.rollups_rows import NotInRollups


def offered_per_interval(
    start: dt.datetime, end: dt.datetime, *, queue_ids: Collection[int] | None = None, now: dt.datetime | None = None
) -> dict[dt.datetime, int]:
    """Offered contacts (by their first `queued` event and queue) per quarter hour of [start, end): from the rollups
    for the settled part, from the events for the last hour before `now`."""
    now = now or timezone.now()
    start, end = interval_start(start), interval_start(end - dt.timedelta(microseconds=1)) + INTERVAL
    settled_end = max(start, min(end, interval_start(now - SETTLED)))
    try:
        stale = stale_intervals(start, settled_end)
    except NotInRollups:
        settled_end, stale = start, set()  # too much to fold: all from the events
    rows = IntervalRollup.objects.filter(level=CONTACT, start__gte=start, start__lt=settled_end).order_by()
    if stale:
        rows = rows.exclude(start__in=sorted(stale))
    if queue_ids is not None:
        rows = rows.filter(queue_id__in=list(queue_ids))
    counts: dict[dt.datetime, int] = defaultdict(int)
    for at, offered in rows.values("start").annotate(total=Sum("offered")).values_list("start", "total"):
        counts[at] += offered
    units = units_of(stale, CONTACT) if stale else []
    if settled_end < end:
        units += load_units(settled_end, end, level=CONTACT)
    for unit in units:
        if queue_ids is None or unit.queue_id in queue_ids:
            counts[interval_start(unit.queued_at)] += 1
    return dict(counts)
