"""The feedback app's background work: the invitations sent every minute, the second ones decided hourly."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from contactpunt.feedback.services.delivery import send_due_invitations
from contactpunt.feedback.services.second_wave import decide_second_waves
from contactpunt.ops.lanes import SHORT

SECOND_WAVE_EVERY = dt.timedelta(hours=1)
SEND_EVERY = dt.timedelta(minutes=1)


@task(queue_name=SHORT)
def decide_second_invitations() -> int:
    """Write the second invitations due now; return how many."""
    return decide_second_waves(timezone.now())


@task(queue_name=SHORT)
def send_invitations() -> int:
    """Send the invitations due now and record the ones that went out; return how many were sent."""
    return send_due_invitations(timezone.now()).total_sent
