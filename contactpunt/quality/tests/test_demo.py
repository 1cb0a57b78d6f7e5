"""The demo's people data: weeks of check-ins with a yellow run, reviewed samples, a calibration round with its
alpha per criterion, suggestions (one in trial) and the team meetings with actions in the shift plan."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine

from contactpunt.ops import demo
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Team
from contactpunt.quality import calibration
from contactpunt.quality.models import CalibrationRound, Review, Suggestion
from contactpunt.workforce.demo import demo_meetings
from contactpunt.workforce.models import MeetingAction, TeamMeeting
from contactpunt.workforce.shifts.planning import schedule_shift

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)


def test_the_demo_has_check_ins_reviews_a_calibration_round_suggestions_and_meetings() -> None:
    with time_machine.travel(NOW, tick=True):
        logins = demo.create_demo_organisation(contacts=400, days=21)
        assert logins.simulation is not None
        logins.simulation.close()
        weeks = checkins.recent_weeks(NOW, 5)[:-1]
        first = Team.objects.order_by("name").first()
        assert first is not None
        rows = list(CheckIn.objects.filter(team=first))
        assert checkins.concern_runs(rows, weeks[-2:])  # a yellow run in the first team
        assert Review.objects.filter(calibration__isnull=True, done_at__isnull=False).count() > 10
        round_ = CalibrationRound.objects.get()
        agreement = calibration.agreement(round_)
        assert all(row.scores > 0 for row in agreement)
        assert any(row.is_flagged for row in agreement)
        assert Suggestion.objects.filter(status="trial").count() == 1

        agents = list(first.members.filter(role="agent")[:6])
        today = NOW.date()
        for week in (-1, 0):
            for agent in agents:
                day = dt.datetime.combine(today + dt.timedelta(weeks=week), dt.time(9), tzinfo=dt.UTC)
                schedule_shift(agent=agent, start=day, end=day + dt.timedelta(hours=4))
        started = time.monotonic()
        assert demo_meetings(today=today, now=NOW) >= 2
        print(f"demo meetings: {time.monotonic() - started:.2f} s")
        assert TeamMeeting.objects.filter(team=first).count() >= 2
        assert MeetingAction.objects.filter(done_at__isnull=True).count() == 1
