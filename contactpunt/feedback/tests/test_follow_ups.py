"""The closed loop: a detractor's follow-up for the team lead, its outcome, the loop figures; and the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Queue
from contactpunt.feedback.models import FollowUp, Outcome
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.kpis.survey_metrics import loop_figures
from contactpunt.people.models import Role, Team, User

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _detractor(queue: Queue, agent: User, at: dt.datetime, ext: str, sender: str) -> FollowUp:
    _, token = invited(queue, agent, at, ext, sender=sender)
    result = submit_answer(token, {"score": "2", "comment": "Drie keer doorverbonden"}, at + HOUR)
    assert result.answer is not None
    return FollowUp.objects.get(answer=result.answer)


def test_the_lead_records_the_outcome_and_the_loop_figures_follow(
    email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    first = _detractor(email_queue, agent, t0, "a", "a@example.nl")
    second = _detractor(email_queue, agent, t0, "b", "b@example.nl")
    client = Client()
    client.force_login(team_lead)
    with time_machine.travel(t0 + 5 * HOUR, tick=False):
        page = client.get("/feedback/follow-ups/")
        assert page.status_code == 200 and "Drie keer doorverbonden" in page.content.decode()
        # How many are open over every period (the dashboard counts one period), dates in Dutch.
        assert "2 open opvolgingen" in page.content.decode() and "te laat" not in page.content.decode()
        # due dates in Dutch, the month in lower case ("3 mrt 10:00"; it showed "3 Mrt", and "9 Sep")
        assert re.search(r">\d{1,2} mrt \d\d:\d\d</a>", page.content.decode()) and " Mrt " not in page.content.decode()
        bad = client.post(f"/feedback/follow-ups/{first.pk}/", {"outcome": "vergeten"})
        assert bad.status_code == 400 and "Kies hoe de opvolging is afgelopen." in bad.content.decode()
        done = client.post(f"/feedback/follow-ups/{first.pk}/", {"outcome": Outcome.CALLED_BACK, "note": "Gebeld"})
        assert done.status_code == 302
    first.refresh_from_db()
    assert (first.outcome, first.note, first.closed_by, first.closed_at) == (
        Outcome.CALLED_BACK,
        "Gebeld",
        team_lead,
        t0 + 5 * HOUR,
    )
    # The same customer answers again later, no longer a detractor: recovered.
    again, token = invited(email_queue, agent, t0 + dt.timedelta(days=40), "a2", sender="a@example.nl")
    submit_answer(token, {"score": "8"}, again.send_at)
    figures = loop_figures(t0, t0 + dt.timedelta(days=2), now=t0 + dt.timedelta(days=3))
    assert (figures.created, figures.closed, figures.closed_on_time, figures.open_overdue) == (2, 1, 1, 1)
    assert figures.closure_rate == 0.5 and figures.median_close_s == 4 * 3600
    assert (figures.recovered, figures.with_next_answer) == (1, 1)
    assert second.closed_at is None


def test_agents_and_the_viewer_cannot_close_and_nothing_changes(
    email_queue: Queue, agent: User, team: Team, t0: dt.datetime
) -> None:
    item = _detractor(email_queue, agent, t0, "a", "a@example.nl")
    viewer = make_user("kijker", Role.VIEWER, team)
    for person, status in ((agent, 404), (viewer, 403)):
        client = Client()
        client.force_login(person)
        assert client.post(f"/feedback/follow-ups/{item.pk}/", {"outcome": Outcome.SOLVED}).status_code == status
    client = Client()
    client.force_login(viewer)
    assert client.get(f"/feedback/follow-ups/{item.pk}/").status_code == 200
    assert client.get("/feedback/follow-ups/abc/").status_code == 404
    item.refresh_from_db()
    assert item.closed_at is None and item.outcome == ""


def test_the_dashboard_shows_nps_with_n_and_interval_and_compliments_reach_the_agent(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    for n, score in enumerate(["10", "9", "3", "8"]):
        _, token = invited(email_queue, agent, t0, f"m{n}", sender=f"k{n}@example.nl")
        submit_answer(token, {"score": score, "comment": "Top geholpen!" if score == "10" else ""}, t0 + HOUR)
    client = Client()
    client.force_login(team_lead)
    text = client.get("/feedback/?period=month&date=2026-03-02").content.decode()
    assert "+25 (" in text and "n = 4" in text and "te weinig antwoorden" in text.lower()
    client.force_login(agent)
    assert "Top geholpen!" in client.get("/feedback/compliments/").content.decode()


def test_the_team_leads_inbox_says_how_many_follow_ups_of_the_team_are_open_and_how_many_late(
    email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    first = _detractor(email_queue, agent, t0, "a", "a@example.nl")
    _detractor(email_queue, agent, t0, "b", "b@example.nl")
    assert first.assignee == team_lead
    lead, worker = Client(), Client()
    lead.force_login(team_lead)
    worker.force_login(agent)
    with time_machine.travel(t0 + 5 * HOUR, tick=False):
        page = _notice(lead.get("/workspace/").content.decode())
        assert "2 opvolgingen van ontevreden klanten van je team staan open" in page and "te laat" not in page
        assert "/feedback/follow-ups/" in page
        assert _notice(worker.get("/workspace/").content.decode()) == ""  # an agent follows nobody up
    with time_machine.travel(first.due_at + HOUR, tick=False):
        lead.post(f"/feedback/follow-ups/{first.pk}/", {"outcome": Outcome.CALLED_BACK, "note": "Gebeld"})
        page = _notice(lead.get("/workspace/").content.decode())
    assert "1 opvolging van een ontevreden klant van je team staat open" in page and "1 te laat" in page


def _notice(html: str) -> str:
    found = re.search(r'<p class="notice" id="my-follow-ups".*?</p>', html, re.S)
    return found.group(0) if found else ""
