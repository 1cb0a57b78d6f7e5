"""The weekly quality sample: stratified by channel, reproducible (seeded by the week and the agent), every agent
who handled contacts covered, drawn twice is drawn once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from contactpunt.conftest import make_user
from contactpunt.contacts.services.work_sessions import start_work_session
from contactpunt.kpis.tests.helpers import arrive, call
from contactpunt.people.models import Role
from contactpunt.quality import sampling
from contactpunt.quality.models import Review
from contactpunt.quality.services import CriterionSpec, create_scorecard

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 9, 9, tzinfo=AMS)


def at(day: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 10, 0, tzinfo=AMS) + dt.timedelta(minutes=minute)


@pytest.mark.parametrize(
    ("sizes", "total", "expected"),
    [
        ({"phone": 10, "email": 2}, 4, {"email": 1, "phone": 3}),
        ({"phone": 10, "email": 2, "chat": 1}, 2, {"phone": 1, "email": 1, "chat": 0}),
        ({"phone": 3}, 5, {"phone": 3}),
        ({"phone": 6, "email": 6}, 4, {"phone": 2, "email": 2}),
        ({}, 4, {}),
    ],
)
def test_allocation_over_channels(sizes: dict[str, int], total: int, expected: dict[str, int]) -> None:
    assert sampling.allocate(sizes, total) == expected


@pytest.fixture
def week_of_work(team, phone_queue, email_queue):
    anna, bart, cees = (make_user(n, Role.AGENT, team) for n in ("anna", "bart", "cees"))
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    make_user("marco", Role.MANAGER, None)
    for n in range(12):
        call(phone_queue, at(2 + n % 5, n), wait=5, talk=60, agent=anna)
    for n in range(4):
        mail = arrive(email_queue, at(3, 30 + n), caller=f"klant{n}@example.nl")
        start_work_session(agent=anna, case=mail.case, contact=mail, at=at(3, 40 + n))
    call(phone_queue, at(4, 0), wait=5, talk=60, agent=bart)  # one contact only
    call(phone_queue, at(10, 0), wait=5, talk=60, agent=cees)  # the next week
    return anna, bart, cees, lead


def test_every_agent_is_covered_stratified_and_reproducible(week_of_work) -> None:
    anna, _bart, _cees, _lead = week_of_work
    card = create_scorecard(name="Kwaliteit", criteria=[CriterionSpec("Vriendelijk")])
    result = sampling.draw_week_sample(week=WEEK, scorecard=card, size=4, now=NOW)
    assert (result.agents, result.assigned, result.created) == (2, 5, 5)
    reviews = Review.objects.filter(week=WEEK).select_related("contact")
    per_agent = Counter(r.agent.username for r in reviews)
    assert per_agent == {"anna": 4, "bart": 1}
    assert Counter(r.contact.channel for r in reviews if r.agent == anna) == {"phone": 3, "email": 1}
    assert {r.reviewer.username for r in reviews} == {"lotte"}  # their own team lead
    first = sorted(reviews.values_list("agent_id", "contact_id"))

    again = sampling.draw_week_sample(week=WEEK, scorecard=card, size=4, now=NOW)
    assert again.created == 0
    Review.objects.all().delete()
    sampling.draw_week_sample(week=WEEK, scorecard=card, size=4, now=NOW)
    assert sorted(Review.objects.values_list("agent_id", "contact_id")) == first
    handled = sampling.handled_contacts(WEEK)
    assert sampling.draw(handled[anna.pk], 4, sampling.seed_of(WEEK, anna.pk)) == sorted(
        c for a, c in first if a == anna.pk
    )
    assert sampling.seed_of(WEEK, anna.pk) != sampling.seed_of(WEEK + dt.timedelta(weeks=1), anna.pk)


def test_the_seed_is_fixed_across_runs() -> None:
    # A stable hash (not Python's salted hash()): the same sample on every machine and every run.
    assert sampling.seed_of(WEEK, 7) == int.from_bytes(hashlib.sha256(b"2026-03-02:7").digest()[:8], "big")
    assert sampling.draw({"phone": list(range(100))}, 3, 42) == sampling.draw({"phone": list(range(100))}, 3, 42)


def test_the_periodic_job_draws_the_finished_week_once(week_of_work) -> None:
    assert sampling.draw_finished_week(now=NOW, size=4) is None  # no scorecard yet
    create_scorecard(name="Kwaliteit", criteria=[CriterionSpec("Vriendelijk")])
    result = sampling.draw_finished_week(now=NOW, size=4)  # Monday 9 March: the week of 2 March is finished
    assert result is not None and (result.agents, result.created) == (2, 5)
    assert set(Review.objects.values_list("week", flat=True)) == {WEEK}
    assert sampling.draw_finished_week(now=NOW + dt.timedelta(hours=6), size=4) is None  # it has its sample
    assert Review.objects.count() == 5


def test_the_periodic_job_is_registered() -> None:
    from contactpunt.ops import periodic
    from contactpunt.quality import tasks

    assert any(s.task is tasks.draw_weekly_sample for s in periodic.schedules())
