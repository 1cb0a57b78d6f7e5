"""The customers' voice on the team meeting's agenda: last week's NPS with its number of answers and the kind words
of that week's promoters, of this team only."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.conftest import make_user
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import Department, Role, Team
from contactpunt.workforce.meeting_voice import customer_voice

pytestmark = pytest.mark.django_db

LAST_WEEK = dt.date(2026, 3, 2)  # a Monday


def _answer(queue, agent, ext: str, *, score: int, comment: str, day: int) -> None:
    at = dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC)
    _invitation, token = invited(queue, agent, at - dt.timedelta(hours=3), ext, sender=f"{ext}@example.nl")
    assert submit_answer(token, {"score": str(score), "comment": comment}, at).answer is not None


def test_last_weeks_nps_and_kind_words_of_the_team(team: Team, department: Department, email_queue) -> None:
    anna = make_user("anna", Role.AGENT, team)
    other = make_user("bram", Role.AGENT, Team.objects.create(name="Team Zuid", department=department))
    _answer(email_queue, anna, "a1", score=10, comment="Super geholpen, dank je!", day=3)
    _answer(email_queue, anna, "a2", score=9, comment="", day=4)
    _answer(email_queue, anna, "a3", score=3, comment="Veel te lang gewacht.", day=5)
    _answer(email_queue, anna, "a4", score=10, comment="Vorige maand ook al top.", day=20)  # not last week
    _answer(email_queue, other, "b1", score=10, comment="Bram was geweldig.", day=3)  # another team
    voice = customer_voice(team, LAST_WEEK)
    assert voice.nps.n == 3
    assert voice.nps.value == pytest.approx((2 - 1) / 3)
    assert voice.compliments == ["Super geholpen, dank je!"]
    assert voice.readings == []  # three answers explain nothing yet


def test_a_week_without_answers_says_nothing(team: Team) -> None:
    voice = customer_voice(team, LAST_WEEK)
    assert (voice.nps.n, voice.nps.value, voice.readings, voice.compliments) == (0, None, [], [])
