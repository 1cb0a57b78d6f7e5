"""Simulated people get realistic Dutch names, the same for the same seed and distinct within a run."""

from __future__ import annotations

import pytest

from contactpunt.people.models import Role, User
from contactpunt.simulation.names import FIRST_NAMES, LAST_NAMES, agent_name, staff_name
from contactpunt.simulation.scenarios import GREETING_CARDS, build_organisation


def test_names_are_dutch_distinct_and_fixed_by_the_seed():
    names = [agent_name(7, i) for i in range(200)]
    assert len(set(names)) == 200
    assert all(first in FIRST_NAMES and last in LAST_NAMES for first, last in names)
    assert names == [agent_name(7, i) for i in range(200)]
    assert names != [agent_name(8, i) for i in range(200)]
    assert not {staff_name(7, i) for i in range(60)} & set(names)


@pytest.mark.django_db
def test_the_organisation_s_people_have_first_and_last_names():
    groups = GREETING_CARDS.agents
    usernames = [(f"agent{n}", groups[n % len(groups)]) for n in range(1, 6)]
    build_organisation(GREETING_CARDS, usernames, seed=7)
    agents = {u.username: (u.first_name, u.last_name) for u in User.objects.filter(role=Role.AGENT)}
    assert agents == {f"agent{n}": agent_name(7, n - 1) for n in range(1, 6)}
    assert User.objects.get(username="agent1").display_name == " ".join(agent_name(7, 0))
    staff = User.objects.exclude(role=Role.AGENT)
    assert staff.exists() and all(u.first_name and u.last_name for u in staff)
