"""Coaching notes and goals per agent, with the trend of their quality score: who reads, who writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import Department, Role, Team
from contactpunt.quality import coaching
from contactpunt.quality.models import CoachingNote, Goal, Review
from contactpunt.quality.services import CriterionSpec, create_scorecard

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)


def test_notes_goals_and_the_trend(team: Team, department: Department, phone_queue) -> None:
    anna = make_user("anna", Role.AGENT, team)
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    other_lead = make_user("olga", Role.TEAM_LEAD, Team.objects.create(name="Zuid", department=department))
    auditor = make_user("audrey", Role.VIEWER, team)
    card = create_scorecard(name="Kwaliteit", criteria=[CriterionSpec("Vriendelijk")])
    for week, score in [(dt.date(2026, 2, 23), 60.0), (dt.date(2026, 3, 2), 70.0), (dt.date(2026, 3, 9), 85.0)]:
        contact = call(phone_queue, NOW - dt.timedelta(days=30), wait=5, talk=60, agent=anna)
        Review.objects.create(scorecard=card, contact=contact, agent=anna, reviewer=lead, week=week, assigned_at=NOW,
                              done_at=NOW, score=score)  # fmt: skip
    trend = coaching.score_trend(anna, [dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9)])
    assert [(t.week.day, t.mean) for t in trend] == [(23, 60.0), (2, 70.0), (9, 85.0)]
    assert coaching.direction(trend) == 1

    coaching.add_note(agent=anna, text="Samen gesprekken teruggeluisterd", by=lead, now=NOW)
    goal = coaching.add_goal(
        agent=anna, title="Duidelijk wat er gaat gebeuren", target_score=80, due=None, by=lead, now=NOW
    )
    with pytest.raises(PermissionError):
        coaching.add_note(agent=anna, text="x", by=other_lead, now=NOW)
    with pytest.raises(ValueError, match="target_score"):
        coaching.add_goal(agent=anna, title="x", target_score=120, due=None, by=lead, now=NOW)

    url = f"/quality/coaching/{anna.pk}/"
    seen = {}
    for user in (anna, lead, other_lead, auditor):
        client = Client()
        client.force_login(user)
        seen[user.username] = client.get(url).status_code
    assert seen == {"anna": 200, "lotte": 200, "olga": 404, "audrey": 404}
    client = Client()
    client.force_login(anna)
    assert "Samen gesprekken teruggeluisterd" in client.get(url).content.decode()
    assert client.post(url, {"what": "note", "text": "eigen notitie"}).status_code == 403
    client.force_login(lead)
    assert client.post(url, {"what": "close", "goal": str(goal.pk), "status": "achieved"}).status_code == 302
    assert Goal.objects.get().status == "achieved"
    assert client.post(url, {"what": "note", "text": ""}).status_code == 400
    assert CoachingNote.objects.count() == 1
