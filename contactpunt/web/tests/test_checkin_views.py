"""The weekly check-in's pages and their privacy rules: a note is read by the agent and their own team lead only;
managers, administrators and the auditor see team aggregates of at least the minimum number of answers; the list
of who has not answered is for the team lead alone; the reminder in the workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from contactpunt.access import readable_check_ins
from contactpunt.audit.models import AuditEntry
from contactpunt.conftest import make_user
from contactpunt.people import checkins
from contactpunt.people.models import CheckIn, Department, Role, Team, User

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)  # a Wednesday
NOTE = "Thuis gaat het niet goed"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(department: Department) -> dict[str, User]:
    north = Team.objects.create(name="Team Noord", department=department)
    south = Team.objects.create(name="Team Zuid", department=department)
    users = {f"agent{n}": make_user(f"agent{n}", Role.AGENT, north) for n in range(1, 7)}
    users["lead"] = make_user("lead", Role.TEAM_LEAD, north)
    users["other_lead"] = make_user("other-lead", Role.TEAM_LEAD, south)
    users["south_agent"] = make_user("south-agent", Role.AGENT, south)
    users["manager"] = make_user("manager", Role.MANAGER, north)
    users["auditor"] = make_user("auditor", Role.VIEWER, north)
    users["admin"] = make_user("admin", Role.ADMIN, north)
    for n, mood in enumerate(["red", "yellow", "green", "green"], start=1):
        checkins.record_check_in(user=users[f"agent{n}"], mood=mood, note=NOTE if n == 1 else "", now=NOW)
    return users


def _get(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_note_is_read_by_the_agent_and_their_own_team_lead_only(people: dict[str, User]) -> None:
    assert NOTE in _get(people["agent1"], "/checkin/")
    assert NOTE in _get(people["lead"], "/checkin/team/")
    assert NOTE not in _get(people["agent2"], "/checkin/")
    for role in ("other_lead", "manager", "auditor", "admin"):
        page = _get(people[role], "/checkin/team/")
        assert NOTE not in page, role
        assert "agent1" not in page, role  # no one by name
    assert AuditEntry.objects.filter(action="check_ins.viewed", actor=people["lead"]).count() == 1
    viewers = set(AuditEntry.objects.filter(action="check_ins.viewed").values_list("actor__username", flat=True))
    assert viewers == {"lead", "other-lead"}  # each lead their own team; the others read no one's
    readers = {name for name, user in people.items() if readable_check_ins(user).filter(note=NOTE).exists()}
    assert readers == {"agent1", "lead"}


def test_others_see_the_aggregate_only_from_the_minimum(people: dict[str, User]) -> None:
    page = _get(people["manager"], "/checkin/team/")
    assert "te weinig" in page or "too few" in page
    checkins.record_check_in(user=people["agent5"], mood="green", now=NOW)
    client = Client()
    client.force_login(people["manager"])
    response = client.get("/checkin/team/")
    north = next(b for b in response.context["blocks"] if b.team.name == "Team Noord")
    assert (north.aggregate[-1].answers, north.aggregate[-1].red, north.aggregate[-1].shown) == (5, 1, True)
    assert north.members == [] and north.missing == []
    south = next(b for b in response.context["blocks"] if b.team.name == "Team Zuid")
    assert south.aggregate[-1].shown is False


def test_only_the_team_lead_sees_who_has_not_answered(people: dict[str, User]) -> None:
    assert "agent6" in _get(people["lead"], "/checkin/team/")
    for role in ("other_lead", "manager", "auditor", "admin"):
        assert "agent6" not in _get(people[role], "/checkin/team/"), role
    client = Client()
    client.force_login(people["other_lead"])
    blocks = client.get("/checkin/team/").context["blocks"]
    assert [b.team.name for b in blocks] == ["Team Zuid"]
    assert [m.display_name for m in blocks[0].missing] == ["south-agent"]


def test_agents_may_not_open_the_team_page_and_the_auditor_may_not_check_in(people: dict[str, User]) -> None:
    agent = Client()
    agent.force_login(people["agent1"])
    assert agent.get("/checkin/team/").status_code == 403
    auditor = Client()
    auditor.force_login(people["auditor"])
    before = CheckIn.objects.count()
    assert auditor.post("/checkin/", {"mood": "green"}).status_code == 403
    assert CheckIn.objects.count() == before


def test_an_agent_checks_in_and_the_workspace_reminder_goes(people: dict[str, User]) -> None:
    client = Client()
    client.force_login(people["agent6"])
    assert 'id="checkin-banner"' in client.get("/workspace/").content.decode()
    response = client.post("/checkin/", {"mood": "purple"})
    assert response.status_code == 400
    assert not CheckIn.objects.filter(user=people["agent6"]).exists()
    response = client.post("/checkin/", {"mood": "yellow", "note": "Veel boze klanten"})
    assert response.status_code == 302
    assert list(CheckIn.objects.filter(user=people["agent6"]).values_list("mood", "note", "week")) == [
        ("yellow", "Veel boze klanten", dt.date(2026, 3, 2))
    ]
    assert 'id="checkin-banner"' not in client.get("/workspace/").content.decode()
    assert "Veel boze klanten" in client.get("/checkin/").content.decode()
