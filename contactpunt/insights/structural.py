"""Structural problems, found by one idempotent run: reason spikes of the last days and today's new topics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from contactpunt.insights import spikes, topics
from contactpunt.kpis.intervals import zone

RECHECK_DAYS = 7


@dataclass(frozen=True, slots=True)
class DetectionResult:
    spikes: int
    topics: int

    @property
    def stored(self) -> int:
        return self.spikes + self.topics


def detect(now: dt.datetime | None = None) -> DetectionResult:
    """Flag the reason spikes of the last RECHECK_DAYS local days up to today (late wrap-ups can still
    change them) and store the new topics found on today's date. Running it again duplicates nothing."""
    now = now or timezone.now()
    today = now.astimezone(zone()).date()
    flagged = spikes.flag_spikes(today - dt.timedelta(days=RECHECK_DAYS - 1), today)
    found = topics.store_topics(today, now)
    return DetectionResult(len(flagged), len(found))
