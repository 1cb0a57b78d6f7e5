"""Fixtures every app's tests share: queues, people in their roles, a clock."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Department, Role, Team, User

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def t0() -> dt.datetime:
    """A fixed moment in the past (Monday 2 March 2026, 10:00 in Amsterdam)."""
    return T0


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(name="Klantenservice", cost_per_hour=35)


@pytest.fixture
def team(department: Department) -> Team:
    return Team.objects.create(name="Team Noord", department=department)


@pytest.fixture
def phone_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="phone-general", name="Telefoon algemeen", channel=Channel.PHONE, department=department
    )


@pytest.fixture
def email_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="email-general",
        name="E-mail algemeen",
        channel=Channel.EMAIL,
        department=department,
        response_norm_s=8 * 3600,
    )


@pytest.fixture
def second_phone_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="phone-finance", name="Telefoon financiën", channel=Channel.PHONE, department=department
    )


def make_user(username: str, role: str, team: Team | None = None) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role, team=team)


@pytest.fixture
def agent(team: Team) -> User:
    return make_user("anna", Role.AGENT, team)


@pytest.fixture
def team_lead(team: Team) -> User:
    return make_user("lotte", Role.TEAM_LEAD, team)
