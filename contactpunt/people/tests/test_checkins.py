"""The weekly check-in: one per person per ISO week, changed within the week; the aggregate hides small counts;
who is yellow or red two weeks in a row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from contactpunt.conftest import make_user
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Mood, Role, Team

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_one_check_in_per_week_changed_within_the_week(team: Team) -> None:
    anna = make_user("anna", Role.AGENT, team)
    checkins.record_check_in(user=anna, mood="yellow", note=" druk ", now=MONDAY)
    checkins.record_check_in(user=anna, mood="green", note="", now=MONDAY + dt.timedelta(days=6, hours=12))
    assert list(CheckIn.objects.values_list("week", "mood", "note", "team_id")) == [
        (dt.date(2026, 3, 2), "green", "", team.pk)
    ]
    checkins.record_check_in(user=anna, mood="red", now=MONDAY + dt.timedelta(days=7))
    assert CheckIn.objects.count() == 2
    assert checkins.has_checked_in(anna, MONDAY + dt.timedelta(days=8))
    assert not checkins.has_checked_in(anna, MONDAY + dt.timedelta(days=14))


def test_the_week_is_the_local_iso_week() -> None:
    # Sunday 23:30 in Amsterdam is Sunday 22:30 UTC: still the week of Monday 2 March
    assert checkins.week_of(dt.datetime(2026, 3, 8, 22, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 2)
    assert checkins.week_of(dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 9)


@pytest.mark.parametrize(("mood", "note", "field"), [("blue", "", "mood"), ("green", "x" * 501, "note")])
def test_bad_input_names_the_field(team: Team, mood: str, note: str, field: str) -> None:
    anna = make_user("anna", Role.AGENT, team)
    with pytest.raises(ValueError, match=field):
        checkins.record_check_in(user=anna, mood=mood, note=note, now=MONDAY)
    assert CheckIn.objects.count() == 0


def test_the_aggregate_is_hidden_below_the_minimum(team: Team) -> None:
    people = [make_user(f"a{n}", Role.AGENT, team) for n in range(5)]
    for person, mood in zip(people[:4], ["green", "green", "yellow", "red"], strict=True):
        checkins.record_check_in(user=person, mood=mood, now=MONDAY)
    week = dt.date(2026, 3, 2)
    assert checkins.team_aggregate(team.pk, [week]) == [checkins.MoodCount(week, 0, 0, 0, 0, shown=False)]
    checkins.record_check_in(user=people[4], mood="green", now=MONDAY)
    assert checkins.team_aggregate(team.pk, [week]) == [checkins.MoodCount(week, 5, 3, 1, 1, shown=True)]


def test_the_minimum_is_never_below_three(team: Team) -> None:
    people = [make_user(f"a{n}", Role.AGENT, team) for n in range(3)]
    week = dt.date(2026, 3, 2)
    with override_settings(CHECK_IN_MIN_ANSWERS=1):
        assert checkins.minimum_answers() == 3
        for person in people[:2]:
            checkins.record_check_in(user=person, mood=Mood.RED, now=MONDAY)
        assert checkins.team_aggregate(team.pk, [week])[0].shown is False
        assert checkins.team_aggregate(team.pk, [week], minimum=1)[0].shown is False
        checkins.record_check_in(user=people[2], mood=Mood.RED, now=MONDAY)
        assert checkins.team_aggregate(team.pk, [week])[0].red == 3


def test_two_weeks_yellow_or_red_in_a_row_is_flagged(team: Team) -> None:
    anna, bart, cees = (make_user(n, Role.AGENT, team) for n in ("anna", "bart", "cees"))
    for week, moods in enumerate([("yellow", "red", "yellow"), ("red", "green", "green"), ("green", "red", "green")]):
        for person, mood in zip((anna, bart, cees), moods, strict=True):
            checkins.record_check_in(user=person, mood=mood, now=MONDAY + dt.timedelta(weeks=week))
    weeks = checkins.recent_weeks(MONDAY + dt.timedelta(weeks=2), 3)
    rows = list(CheckIn.objects.all())
    assert checkins.concern_runs(rows, weeks) == {anna.pk}
    assert checkins.concern_runs(rows, weeks[-1:]) == set()
