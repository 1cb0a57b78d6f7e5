"""The skills matrix: levels kept in step with the skills routing reads, and the bus factor per skill and interval
(at least two qualified people at work on every planned quarter hour, or a warning)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.people.models import Role, Skill, SkillKind
from contactpunt.people.skills import level_of, set_level
from contactpunt.workforce import bus_factor
from contactpunt.workforce.shifts.planning import schedule_shift

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 2, hour, minute, tzinfo=AMS)


def test_levels_and_the_bus_factor(team, phone_queue: Queue) -> None:
    german = Skill.objects.create(code="de", name="Duits", kind=SkillKind.LANGUAGE)
    phone_queue.skills.add(german)
    anna, bart, cees = (make_user(n, Role.AGENT, team) for n in ("anna", "bart", "cees"))
    set_level(user=anna, skill=german, level=3)
    set_level(user=bart, skill=german, level=2)
    set_level(user=cees, skill=german, level=1)  # learning: routed, but not counted as qualified
    assert list(german.users.order_by("username").values_list("username", flat=True)) == ["anna", "bart", "cees"]
    assert level_of(cees, german) == 1
    set_level(user=cees, skill=german, level=0)
    assert not cees.skills.exists()
    with pytest.raises(ValueError, match="level"):
        set_level(user=cees, skill=german, level=4)

    schedule_shift(agent=anna, start=at(9), end=at(17))
    schedule_shift(agent=bart, start=at(9), end=at(13))
    schedule_shift(agent=cees, start=at(12), end=at(18))
    found = bus_factor.warnings(dt.date(2026, 3, 2), 7)
    assert [(w.skill.code, w.start, w.end, w.fewest) for w in found] == [("de", at(13), at(18), 0)]

    client = Client()
    client.force_login(make_user("lotte", Role.TEAM_LEAD, team))
    page = client.get("/workforce/skills/?week=2026-03-02").content.decode()
    assert 'id="bus-factor"' in page and "Duits" in page
    assert client.post("/workforce/skills/", {"user": cees.pk, "skill": german.pk, "level": "2"}).status_code == 302
    assert bus_factor.warnings(dt.date(2026, 3, 2), 7)[0].start == at(17)


def test_the_matrix_marks_the_flexible_pool_with_their_department(team, department) -> None:
    from contactpunt.people.models import Department, Team
    from contactpunt.workforce.models import PoolMember

    finance = Department.objects.create(name="Financiën")
    helper = make_user("femke", Role.AGENT, Team.objects.create(name="Debiteuren", department=finance))
    PoolMember.objects.create(user=helper, weekdays="0123456")
    make_user("anna", Role.AGENT, team)
    client = Client()
    client.force_login(make_user("lotte", Role.TEAM_LEAD, team))
    page = client.get("/workforce/skills/?week=2026-03-02").content.decode()
    rows = page.split('<tr><th scope="row">')[1:]
    femke = next(row for row in rows if row.startswith("femke"))
    anna = next(row for row in rows if row.startswith("anna"))
    assert "pool-member" in femke.split("</th>")[0] and "Financiën" in femke.split("</th>")[0]
    assert "pool-member" not in anna.split("</th>")[0]
