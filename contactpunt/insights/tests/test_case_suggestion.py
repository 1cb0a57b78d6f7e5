"""The agent sees the suggested reason and the sentiment in the case view; the wrap-up preselects the suggestion."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.contacts.models import ContactReason
from contactpunt.contacts.tests.workspace_data import skill
from contactpunt.insights import analysis, lifecycle
from contactpunt.insights.datasets import LabelledRows
from contactpunt.insights.models import SeedPhrase
from contactpunt.insights.reason_training import train_reason_model
from contactpunt.insights.reasons import ReasonModel, model_manifest
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


def test_an_unsure_suggestion_is_shown_as_unsure_and_not_preselected(email_queue, agent, t0):
    reasons = {code: ContactReason.objects.create(code=code, name=code.title()) for code in REASON_PHRASES}
    rows = LabelledRows(
        [text for phrases in REASON_PHRASES.values() for text in phrases],
        [code for code, phrases in REASON_PHRASES.items() for _text in phrases],
        [],
    )
    trained, _report = train_reason_model(rows, features="tfidf")
    # The same model, unsure of everything it suggests (an organisation's model trained on overlapping reasons).
    doubting = ReasonModel(
        method="logistic",
        features="tfidf",
        head=trained.head,
        tfidf=trained.tfidf,
        threshold=0.0,
        manifest={},
        unsure_threshold=1.01,
    )
    doubting.manifest = model_manifest(doubting, None, "oos", {})
    assert lifecycle.consider_candidate(doubting, "logistic", LabelledRows([], [], []), 0.0, len(rows)).activated
    contact = receive_texts(email_queue, ["I forgot my password and now I cannot log in"], t0)[0]
    analysis.analyse_contacts([contact.pk])
    html = case_page(agent, email_queue, contact)
    assert " selected>" not in html.split('id="wrap-reason"')[1].split("</select>")[0]
    suggestion = html.split('id="wrap-suggestion"')[1].split("</small>")[0]
    assert "Onzeker voorstel: Password" in suggestion
    assert reasons["password"].name == "Password"
