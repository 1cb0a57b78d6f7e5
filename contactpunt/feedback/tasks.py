"""The feedback app's background work: the second invitations, decided hourly by the worker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from contactpunt.feedback.services.second_wave import decide_second_waves
from contactpunt.ops.lanes import SHORT

SECOND_WAVE_EVERY = dt.timedelta(hours=1)


@task(queue_name=SHORT)
def decide_second_invitations() -> int:
    """Write the second invitations due now; return how many."""
    return decide_second_waves(timezone.now())
