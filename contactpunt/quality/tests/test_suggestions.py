"""Improvement suggestions: proposed by an agent, a status within 14 days, a trial with one team, a period and a
metric shown before and during against the other teams, the outcome with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.kpis import rollups
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import Department, Role, Team
from contactpunt.quality import suggestions
from contactpunt.quality.models import Suggestion

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


def test_a_suggestion_from_proposal_to_trial_and_outcome(team: Team, department: Department, phone_queue) -> None:
    south = Team.objects.create(name="Team Zuid", department=department)
    anna = make_user("anna", Role.AGENT, team)
    zoe = make_user("zoe", Role.AGENT, south)
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    item = suggestions.propose(
        author=anna, title="Terugbellen aanbieden bij lange wachttijd", now=NOW - dt.timedelta(days=15)
    )
    assert item.team == team and item.is_waiting_too_long(NOW)
    with pytest.raises(PermissionError):
        suggestions.decide(suggestion=item, status="trial", by=anna, now=NOW)
    with pytest.raises(ValueError, match="metric"):
        suggestions.decide(suggestion=item, status="trial", by=lead, now=NOW, trial_team=team,
                           trial_start=dt.date(2026, 3, 9), trial_end=dt.date(2026, 3, 15))  # fmt: skip
    # before (2-8 March): Noord 1 of 2 within 20 s, Zuid 2 of 2; during (9-15 March): Noord 2 of 2, Zuid 1 of 2
    for day, waits, agent in [(3, (10, 60), anna), (4, (5, 5), zoe), (10, (5, 10), anna), (11, (5, 90), zoe)]:
        for wait in waits:
            call(phone_queue, dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC), wait=wait, talk=60, agent=agent)
    rollups.rebuild_all()  # the periodic job's work: the trial's figures are read from the rollups
    suggestions.decide(suggestion=item, status="trial", by=lead, now=NOW, trial_team=team, metric="service_level",
                       trial_start=dt.date(2026, 3, 9), trial_end=dt.date(2026, 3, 15))  # fmt: skip
    assert not item.is_waiting_too_long(NOW)
    comparison = suggestions.compare(item, NOW)
    assert comparison is not None
    assert (comparison.team_before, comparison.team_during) == (0.5, 1.0)
    assert (comparison.others_before, comparison.others_during) == (1.0, 0.5)
    with pytest.raises(ValueError, match="reason"):
        suggestions.decide(suggestion=item, status="adopted", by=lead, now=NOW)
    suggestions.decide(suggestion=item, status="adopted", by=lead, now=NOW, reason="Service level steeg in de proef")
    assert Suggestion.objects.get().status == "adopted"

    client = Client()
    client.force_login(lead)
    page = client.get(f"/quality/suggestions/{item.pk}/").content.decode()
    assert "Service level steeg in de proef" in page and "100,0%" in page
    client.force_login(anna)
    assert client.post("/quality/suggestions/", {"title": ""}).status_code == 400
    assert client.post("/quality/suggestions/", {"title": "Chat ook in het weekend"}).status_code == 302
    assert Suggestion.objects.count() == 2
