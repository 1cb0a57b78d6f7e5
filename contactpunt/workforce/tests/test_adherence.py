"""Schedule adherence and occupancy by the definitions in DESIGN.md, computed by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactpunt.conftest import make_user
from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.kpis import metrics
from contactpunt.people.models import Role, User
from contactpunt.workforce.adherence import adherence_report
from contactpunt.workforce.models import Activity
from contactpunt.workforce.shifts.planning import schedule_shift

AMS = ZoneInfo("Europe/Amsterdam")


def at(hour: int, minute: int = 0, day: int = 2, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=AMS)


def states(agent: User, *changes: tuple[dt.datetime, str]) -> None:
    for moment, state in changes:
        record_agent_state(agent=agent, state=state, occurred_at=moment)


def morning_shift(agent: User) -> None:
    """09:00-13:00 with a break 11:00-11:15: four scheduled hours."""
    schedule_shift(agent=agent, start=at(9), end=at(13), activities=[(Activity.BREAK, at(11), at(11, 15))])


@pytest.fixture
def late_agent(team) -> User:
    """Logs in ten minutes late, takes a 30-minute break for a 15-minute one, handles one call."""
    agent = make_user("anna", Role.AGENT, team)
    morning_shift(agent)
    states(
        agent,
        (at(8), AgentState.OFFLINE),
        (at(9, 10), AgentState.AVAILABLE),
        (at(9, 30), AgentState.ON_CONTACT),
        (at(9, 40), AgentState.WRAP_UP),
        (at(9, 45), AgentState.AVAILABLE),
        (at(11), AgentState.BREAK),
        (at(11, 30), AgentState.AVAILABLE),
        (at(13), AgentState.OFFLINE),
    )
    return agent


def test_late_login_and_a_long_break(late_agent):
    [row] = adherence_report(at(0), at(23, 59))
    # Out of adherence: 09:05-09:10 (late past the 5-minute grace) and 11:20-11:30 (break overrun past grace).
    assert row.scheduled_s == 4 * 3600
    assert row.adherent_s == 4 * 3600 - 300 - 600
    assert row.adherence == pytest.approx(13500 / 14400)
    # Occupancy: 15 minutes on contact and in wrap-up over 200 minutes logged in and not on break.
    assert row.occupancy == pytest.approx(900 / 12000)


def test_a_team_adds_up_its_agents_seconds(late_agent, team):
    punctual = make_user("bram", Role.AGENT, team)
    morning_shift(punctual)
    states(punctual, (at(9), AgentState.AVAILABLE), (at(11), AgentState.BREAK), (at(11, 15), AgentState.AVAILABLE),
           (at(13), AgentState.OFFLINE))  # fmt: skip
    by_agent = {row.name: row.adherence for row in adherence_report(at(0), at(23, 59))}
    assert by_agent == {"anna": pytest.approx(0.9375), "bram": 1.0}
    [team_row] = adherence_report(at(0), at(23, 59), by="team")
    assert team_row.name == team.name
    assert team_row.adherence == pytest.approx((13500 + 14400) / 28800)
    # bram: 3 h 45 min available and never busy.
    assert team_row.occupancy == pytest.approx(900 / (12000 + 13500))


def test_working_through_a_training_is_out_of_adherence(team):
    agent = make_user("cas", Role.AGENT, team)
    schedule_shift(agent=agent, start=at(9), end=at(11), activities=[(Activity.TRAINING, at(10), at(10, 30))])
    states(agent, (at(9), AgentState.AVAILABLE), (at(11), AgentState.OFFLINE))
    [row] = adherence_report(at(0), at(23))
    assert row.adherent_s == 7200 - 25 * 60  # 10:05-10:30 available instead of in training
    assert row.occupancy == 0.0


def test_a_night_shift_over_the_clock_change_counts_real_seconds(team):
    agent = make_user("dirk", Role.AGENT, team)
    # 01:00 to 05:00 on 29 March 2026: the clocks jump from 02:00 to 03:00, so three hours.
    schedule_shift(agent=agent, start=at(1, day=29), end=at(5, day=29))
    states(agent, (at(1, day=29), AgentState.AVAILABLE), (at(4, day=29), AgentState.BREAK),
           (at(5, day=29), AgentState.OFFLINE))  # fmt: skip
    [row] = adherence_report(at(0, day=29), at(23, day=29))
    assert row.scheduled_s == 3 * 3600
    # An unscheduled break from 04:00: no change of activity there, so no grace.
    assert row.adherent_s == 2 * 3600
    assert row.adherence == pytest.approx(2 / 3)


def test_the_period_cuts_the_schedule(late_agent):
    [row] = adherence_report(at(10), at(12))
    # 10:00-11:00 work (available/after the call), 11:00-11:15 break on break, 11:15-12:00 work: from 11:20
    # onwards on break until 11:30, so 10 minutes out.
    assert row.scheduled_s == 2 * 3600
    assert row.adherent_s == 2 * 3600 - 600


def test_same_activity_back_to_back_has_no_grace():
    one = (Activity.WORK, at(9), at(10))
    two = (Activity.WORK, at(10), at(11))
    idle = [(AgentState.OFFLINE, at(9), at(11))]
    assert metrics.adherent_seconds([one, two], idle) == (300.0, 7200.0)
    assert metrics.schedule_adherence([]) is None


def test_an_agent_without_a_schedule_has_no_adherence(team):
    agent = make_user("eva", Role.AGENT, team)
    states(agent, (at(9), AgentState.AVAILABLE), (at(10), AgentState.OFFLINE))
    [row] = adherence_report(at(0), at(23))
    assert row.adherence is None
    assert row.scheduled_s == 0
    assert row.occupancy == 0.0
