"""A customer's plain request is neutral; praise and complaint keep their side (the product's sentiment: the
model through the neutral rule of cues.py, as the case page and the insights show it)."""

from __future__ import annotations

import pytest

from contactpunt.insights.cues import find_cues
from contactpunt.insights.encoder import UniversalSentenceEncoder
from contactpunt.insights.pipeline import analyse_messages
from contactpunt.insights.sentiment import SentimentModel

#: Requests as customers write them: the shipped model alone called 11 of these 14 positive or negative.
NEUTRAL = [
    "Hallo, ik ben verhuisd. Mijn nieuwe adres is Dorpsstraat 12, 1234 AB Utrecht. Kunt u dit aanpassen?",
    "Graag wil ik mijn adres wijzigen per 1 januari.",
    "Wanneer wordt mijn bestelling B123456 geleverd?",
    "Kunt u mij terugbellen over mijn factuur?",
    "Ik wil mijn telefoonnummer wijzigen naar 0612345678.",
    "Hoe kan ik mijn abonnement opzeggen?",
    "Wat is de status van mijn retour?",
    "Beste klantenservice, kunt u mijn e-mailadres aanpassen? Met vriendelijke groet, Jan",
    "Mijn nieuwe adres is Kerkstraat 5 in Amersfoort. Alvast bedankt voor de moeite.",
    "Hoi, ik wil graag een kopie van mijn laatste factuur ontvangen.",
    "Is het mogelijk om de levering naar zaterdag te verplaatsen? Het zou fijn zijn als dat kan.",
    "Could you change my delivery address to Kerkstraat 5? Kind regards, Emma",
    "Is it still possible to add a card to my order?",
    "Hello, I would like a copy of my invoice. Thanks in advance.",
]
POSITIVE = [
    "Dank jullie wel, super geholpen! Echt heel blij met de snelle service.",
    "Fantastisch, het pakket kwam vandaag al aan. Top!",
    "Verder ben ik altijd heel tevreden over jullie!",
    "Thank you, the new card is lovely and arrived quickly.",
]
NEGATIVE = [
    "Dit is al de tweede keer, ik ben er echt klaar mee.",
    "Erg teleurgesteld, zo ga je niet met klanten om.",
    "Ik heb al drie keer gebeld en niemand helpt me!",
    "Ik ben niet tevreden over de service.",
    "Mijn pakket is kapot aangekomen en niemand reageert.",
    "I am not happy at all, this is the third time I write.",
]


@pytest.fixture(scope="module")
def model(encoder: UniversalSentenceEncoder) -> SentimentModel:
    return SentimentModel.load(encoder=encoder)


def test_requests_are_neutral_and_opinions_keep_their_side(model: SentimentModel, no_network: None) -> None:
    results = analyse_messages(NEUTRAL + POSITIVE + NEGATIVE, sentiment_model=model)
    labels = [r.sentiment.label for r in results]
    assert labels == ["neutral"] * len(NEUTRAL) + ["positive"] * len(POSITIVE) + ["negative"] * len(NEGATIVE)


def test_a_negation_turns_a_cue_and_formulas_are_no_cues() -> None:
    assert find_cues("Ik ben niet tevreden") == find_cues("Ik ben ontevreden")
    assert (find_cues("not happy").positive, find_cues("not happy").negative) == (0, 1)
    assert (find_cues("Dat is niet slecht").positive, find_cues("Dat is niet slecht").negative) == (1, 0)
    assert not find_cues("Met vriendelijke groet, alvast bedankt, fijne dag nog").found
    assert find_cues("Bedankt voor de snelle hulp").positive == 1
