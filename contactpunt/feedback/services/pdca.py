"""The team's Plan-Do-Check-Act review: the actions it agrees for the coming month."""

from __future__ import annotations

import datetime as dt

from contactpunt.feedback.models import PdcaAction
from contactpunt.people.models import Team, User

MAX_TEXT = 500


def agree_action(*, team: Team, month: dt.date, text: str, by: User) -> PdcaAction:
    """Record an action for `month` (its first day is kept); ValueError when the text is empty or too long."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise ValueError("text")
    return PdcaAction.objects.create(team=team, month=month.replace(day=1), text=cleaned, created_by=by)
