"""A reason-model version's decision is stored in English (the command prints it) and shown in the reader's
language on the insights page, its scores written the language's way."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contactpunt.contacts.models import ContactReason
from contactpunt.insights import lifecycle
from contactpunt.insights.decisions import shown_decision
from contactpunt.insights.models import SeedPhrase
from contactpunt.insights.tests.conftest import REASON_PHRASES


@pytest.mark.parametrize(
    ("stored", "dutch"),
    [
        ("activated: there was no active model; accuracy 0.954 vs TF-IDF baseline 0.950",
         "in gebruik genomen: er was nog geen actief model; nauwkeurigheid 0,954 tegen 0,950 voor de TF-IDF-basislijn"),
        ("activated: not worse than the active model (macro-F1 0.823 vs 0.800)",
         "in gebruik genomen: niet slechter dan het actieve model (macro-F1 0,823 tegen 0,800)"),
        ("kept the active model: worse than the active model (macro-F1 0.412 vs 0.800); accuracy 0.5 vs TF-IDF "
         "baseline 0.9",
         "actieve model behouden: slechter dan het actieve model (macro-F1 0,412 tegen 0,800); nauwkeurigheid 0,500 "
         "tegen 0,900 voor de TF-IDF-basislijn"),
        ("activated: replaces seeds", "in gebruik genomen: vervangt de voorbeeldzinnen"),
        ("kept the active model: nothing to compare on", "actieve model behouden: niets om mee te vergelijken"),
        ("something else entirely", "something else entirely"),
    ],
)  # fmt: skip
def test_each_stored_decision_reads_in_dutch(stored, dutch):
    with translation.override("nl"):
        assert shown_decision(stored) == dutch


def test_in_english_the_scores_keep_their_points():
    with translation.override("en"):
        assert shown_decision("activated: not worse than the active model (macro-F1 0.823 vs 0.8)") == (
            "activated: not worse than the active model (macro-F1 0.823 against 0.800)"
        )


@pytest.mark.django_db
def test_the_insights_page_shows_the_cold_start_decision_in_dutch(team_lead):
    reasons = {code: ContactReason.objects.create(code=code, name=code.title()) for code in REASON_PHRASES}
    for code, phrases in REASON_PHRASES.items():
        for phrase in phrases[:4]:
            SeedPhrase.objects.create(reason=reasons[code], text=phrase)
    result = lifecycle.retrain()
    assert result.version is not None and result.decision.startswith("activated: there was no active model")
    client = Client()
    client.force_login(team_lead)
    page = client.get(reverse("insights:index")).content.decode()
    assert "in gebruik genomen: er was nog geen actief model" in page
    assert "activated:" not in page
