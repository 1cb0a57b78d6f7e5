"""The demo's people have realistic Dutch names, and the screens show them instead of numbers."""

from __future__ import annotations

import pytest
from django.test import Client

from contactpunt.ops import demo
from contactpunt.people.models import Role, User
from contactpunt.simulation.names import agent_name
from contactpunt.web.tests.screens import visible_text
from contactpunt.workforce.demo import POOL_TEAM

pytestmark = pytest.mark.django_db


def test_demo_people_have_names_from_the_seed_and_the_header_shows_them():
    logins = demo.create_demo_organisation(contacts=10, days=1, seed=7)
    assert logins.simulation is not None
    logins.simulation.close()  # the engine process waits for the live mode, which this test does not start
    agent = User.objects.get(username="agent1")
    assert (agent.first_name, agent.last_name) == agent_name(7, 0)
    people = User.objects.all()
    assert all(u.first_name and u.last_name and not u.first_name.isdigit() for u in people)
    assert len({u.display_name for u in people.filter(role=Role.AGENT)}) == people.filter(role=Role.AGENT).count()
    client = Client()
    assert client.login(username="agent1", password=demo.DEMO_PASSWORD)
    header = visible_text(client.get("/").content.decode())
    assert f"{agent.display_name} · medewerker" in header
    assert "agent1" not in header.split()
    # The team lead leads agent1's team (the flexible pool serves every team and holds no team meeting of its own).
    lead = User.objects.get(username="teamlead")
    assert lead.team is not None and lead.team.name != POOL_TEAM
    assert agent.team == lead.team or agent.team is None or agent.team.name == POOL_TEAM
