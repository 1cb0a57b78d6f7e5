"""The quality app's background work: the weekly sample of the finished week, drawn and assigned without anyone
pressing the button."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from contactpunt.ops.lanes import SHORT
from contactpunt.quality.sampling import draw_finished_week

#: Often enough that Monday's sample is there on Monday morning; a week with its sample is left alone.
SAMPLE_EVERY = dt.timedelta(hours=6)


@task(queue_name=SHORT)
def draw_weekly_sample() -> int:
    """Draw last week's sample when it has none; return the reviews assigned."""
    result = draw_finished_week(now=timezone.now(), size=settings.QUALITY_SAMPLE_SIZE)
    return result.created if result else 0
