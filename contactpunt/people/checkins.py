"""The weekly check-in: each person's mood of the ISO week, kept and changed only through `record_check_in`.

Who may read which check-in is decided in `contactpunt.access` (the note is for the agent and their own team
lead only; others see team aggregates of at least `minimum_answers()` answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contactpunt.people.models import CheckIn, Mood, User

NOTE_LIMIT = 500
#: The smallest aggregate anyone but the team lead may see, whatever the setting says.
ABSOLUTE_MINIMUM_ANSWERS = 3


def minimum_answers() -> int:
    """The fewest answers a team aggregate needs before managers and the auditor see it (the setting
    CHECK_IN_MIN_ANSWERS, default 5, never below 3)."""
    return max(int(getattr(settings, "CHECK_IN_MIN_ANSWERS", 5)), ABSOLUTE_MINIMUM_ANSWERS)


def week_of(moment: dt.datetime | dt.date) -> dt.date:
    """The Monday of the ISO week of `moment` (a datetime is read in the local time zone)."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day - dt.timedelta(days=day.weekday())


def recent_weeks(now: dt.datetime, count: int) -> list[dt.date]:
    """The Mondays of the last `count` weeks, the current one last."""
    this = week_of(now)
    return [this - dt.timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def record_check_in(*, user: User, mood: str, note: str = "", now: dt.datetime) -> CheckIn:
    """Save the user's check-in of the week of `now`, or change it when they already gave one this week.

    Raise ValueError naming the field for an unknown mood or a note over 500 characters."""
    if mood not in Mood.values:
        raise ValueError("mood")
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise ValueError("note")
    with transaction.atomic():
        check_in, _created = CheckIn.objects.update_or_create(
            user=user, week=week_of(now), defaults={"mood": mood, "note": note, "team_id": user.team_id}
        )
    return check_in


def record_history(check_ins: list[CheckIn]) -> int:
    """Store a history of check-ins at once (the demo's weeks; an import): each must have a known mood and a note
    within the limit, and a week that already has a check-in of that person is left as it is. Return how many
    were given."""
    for check_in in check_ins:
        if check_in.mood not in Mood.values:
            raise ValueError("mood")
        if len(check_in.note) > NOTE_LIMIT:
            raise ValueError("note")
    CheckIn.objects.bulk_create(check_ins, ignore_conflicts=True, batch_size=500)
    return len(check_ins)


def has_checked_in(user: User, now: dt.datetime) -> bool:
    """Whether the user gave their check-in for the week of `now`."""
    return CheckIn.objects.filter(user=user, week=week_of(now)).exists()


@dataclass(frozen=True)
class MoodCount:
    """A team's answers of one week; `shown` is False (and the counts zero) below the minimum."""

    week: dt.date
    answers: int
    green: int
    yellow: int
    red: int
    shown: bool


def team_aggregate(team_id: int, weeks: list[dt.date], *, minimum: int | None = None) -> list[MoodCount]:
    """The number of green, yellow and red answers of a team per week; a week with fewer than the minimum
    answers shows no counts at all (only that there were too few)."""
    least = minimum_answers() if minimum is None else max(minimum, ABSOLUTE_MINIMUM_ANSWERS)
    counts: dict[dt.date, dict[str, int]] = {week: {} for week in weeks}
    rows = CheckIn.objects.filter(team_id=team_id, week__in=weeks).values_list("week", "mood")
    for week, mood in rows:
        counts[week][mood] = counts[week].get(mood, 0) + 1
    result = []
    for week in weeks:
        per = counts[week]
        answers = sum(per.values())
        shown = answers >= least
        result.append(
            MoodCount(
                week=week,
                answers=answers if shown else 0,
                green=per.get(Mood.GREEN, 0) if shown else 0,
                yellow=per.get(Mood.YELLOW, 0) if shown else 0,
                red=per.get(Mood.RED, 0) if shown else 0,
                shown=shown,
            )
        )
    return result


def concern_runs(check_ins: list[CheckIn], weeks: list[dt.date]) -> set[int]:
    """The users whose check-ins are yellow or red in two consecutive weeks among `weeks` (the last week
    and the one before it, or any earlier pair)."""
    concern = {(c.user_id, c.week) for c in check_ins if c.is_concern}
    flagged = set()
    for user_id, week in concern:
        if (user_id, week - dt.timedelta(weeks=1)) in concern and week in weeks:
            flagged.add(user_id)
    return flagged
