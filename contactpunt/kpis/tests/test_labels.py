"""The KPI screens in Dutch show names and labels, never the report's keys: queue codes, channel codes,
usernames, groupings, outcomes and English formulas. English works too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contactpunt.kpis import labels, metrics, rollups
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User
from contactpunt.web.tests.screens import visible_text

pytestmark = pytest.mark.django_db
WEEK = "?period=week&date=2026-03-02"


@pytest.fixture
def calls(phone_queue, agent, t0):
    agent.first_name, agent.last_name = "Anna", "de Vries"
    agent.save(update_fields=["first_name", "last_name"])
    call(phone_queue, t0, wait=10, talk=60, agent=agent)
    call(phone_queue, t0, wait=30)
    rollups.rebuild(t0 - dt.timedelta(days=7), t0 + dt.timedelta(days=7))


def page(user: User, name: str, query: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"kpis:{name}") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_weeks_page_in_dutch_shows_names_and_labels(team_lead, calls):
    by_queue = page(team_lead, "manager", WEEK + "&by=queue")
    assert '<th scope="col">Wachtrij</th>' in by_queue
    assert '<th scope="row">Telefoon algemeen</th>' in by_queue
    text = visible_text(by_queue)
    assert "phone-general" not in text
    for option in ("Wachtrij", "Kanaal", "Afdeling", "Medewerker", "Vestiging", "Zakelijke klant", "Producttype"):
        assert f">{option}</option>" in by_queue, option
    assert not {"queue", "department", "channel", "product_type", "site"} & set(text.split())
    formula = 'title="alleen telefoon en chat: beantwoord met wachttijd ≤ T / (aangeboden \u2212 kort opgehangen)'
    assert formula in by_queue
    by_agent = page(team_lead, "manager", WEEK + "&by=agent")
    assert '<th scope="row">Anna de Vries</th>' in by_agent and "anna" not in visible_text(by_agent).split()
    by_channel = page(team_lead, "manager", WEEK + "&by=channel")
    assert '<th scope="row">telefoon</th>' in by_channel and "phone" not in visible_text(by_channel).split()


def test_the_drill_down_names_the_queue_group_and_outcomes_in_dutch(team_lead, calls):
    query = "?metric=offered&from=2026-03-02&to=2026-03-02&by=queue&group=phone-general"
    text = visible_text(page(team_lead, "drill", query))
    assert "Wachtrij Telefoon algemeen, 2 maart 2026" in text and "2 maart 2026 \u2013" not in text
    assert "beantwoord" in text.split() and "opgehangen" in text.split()
    assert not {"answered", "abandoned", "phone-general", "queue"} & set(text.split())


def test_english_users_see_the_same_in_english(team_lead, calls):
    team_lead.language = "en"
    team_lead.save(update_fields=["language"])
    by_queue = page(team_lead, "manager", WEEK + "&by=queue")
    assert '<th scope="col">Queue</th>' in by_queue and '<th scope="row">Telefoon algemeen</th>' in by_queue
    assert 'title="phone and chat only: answered with wait &lt;= T / (offered - short abandons)' in by_queue
    query = "?metric=offered&from=2026-03-02&to=2026-03-02&by=queue&group=phone-general"
    assert "answered" in visible_text(page(team_lead, "drill", query)).split()


def test_every_formula_and_grouping_has_a_dutch_text():
    with translation.override("nl"):
        untranslated = [key for key in metrics.FORMULAS if labels.formula(key) == metrics.FORMULAS[key]]
        groupings = [by for by in metrics.GROUPINGS if labels.grouping_label(by) == by]
        outcomes = [o for o in labels.OUTCOMES if labels.outcome_label(o) == o and o != "open"]
    assert (untranslated, groupings, outcomes) == ([], [], [])
