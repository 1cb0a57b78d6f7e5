"""The closed loop: a team lead records how a detractor's follow-up ended."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from contactpunt.feedback.models import FollowUp, Outcome
from contactpunt.people.models import User


class FollowUpClosed(Exception):
    """The follow-up already has its outcome."""


def close_follow_up(*, follow_up: FollowUp, by: User, outcome: str, note: str, now: dt.datetime) -> FollowUp:
    """Record the outcome (and a note) of an open follow-up; ValueError on an unknown outcome,
    FollowUpClosed when someone closed it first."""
    chosen = Outcome(outcome)
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=follow_up.pk, closed_at__isnull=True).update(
            outcome=chosen, note=note[:2000], closed_at=now, closed_by=by
        )
        if not updated:
            raise FollowUpClosed(str(follow_up.pk))
    follow_up.refresh_from_db()
    return follow_up
