"""The agent sees the suggested reason and the sentiment in the case view; the wrap-up preselects the suggestion."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.contacts.models import ContactReason
from contactpunt.contacts.tests.workspace_data import skill
from contactpunt.insights import analysis, lifecycle
from contactpunt.insights.models import SeedPhrase
from contactpunt.insights.tests.conftest import REASON_PHRASES
from contactpunt.insights.tests.helpers import receive_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> dict[str, ContactReason]:
    reasons = {code: ContactReason.objects.create(code=code, name=code.title()) for code in REASON_PHRASES}
    for code, phrases in REASON_PHRASES.items():
        for phrase in phrases[:4]:
            SeedPhrase.objects.create(reason=reasons[code], text=phrase)
    assert lifecycle.retrain().activated
    return reasons


def case_page(agent, email_queue, contact) -> str:
    email_queue.skills.add(skill("nl"))
    agent.skills.add(skill("nl"))
    client = Client()
    client.force_login(agent)
    response = client.get(reverse("workspace:case", args=[contact.case_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_wrap_up_preselects_the_suggested_reason_and_shows_the_sentiment(seeded, email_queue, agent, t0):
    contact = receive_texts(email_queue, ["I forgot my password and now I cannot log in, this is terrible"], t0)[0]
    analysis.analyse_contacts([contact.pk])
    html = case_page(agent, email_queue, contact)
    assert f'<option value="{seeded["password"].pk}" selected>' in html
    assert 'id="wrap-suggestion"' in html and "Password" in html
    assert "sentiment-negative" in html


def test_without_an_insight_nothing_is_preselected(seeded, email_queue, agent, t0):
    contact = receive_texts(email_queue, ["I forgot my password"], t0)[0]
    html = case_page(agent, email_queue, contact)
    assert " selected>" not in html.split('id="wrap-reason"')[1].split("</select>")[0]
    assert 'id="wrap-suggestion"' not in html
