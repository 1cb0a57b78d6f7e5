from __future__ import annotations

from contactpunt.insights.encoder import UniversalSentenceEncoder
from contactpunt.insights.pipeline import analyse_messages
from contactpunt.insights.reasons import reason_model_from_seeds
from contactpunt.insights.sentiment import SentimentModel


def test_language_sentiment_and_reason_per_message(encoder: UniversalSentenceEncoder, no_network: None) -> None:
    sentiment = SentimentModel.load(encoder=encoder)
    reasons = reason_model_from_seeds(
        {"delivery": ["where is my parcel", "my order has not arrived"], "invoice": ["my invoice is wrong"]},
        encoder=encoder,
    )
    texts = [
        "Waar blijft mijn pakket? Ik wacht al een week en ben boos.",
        "Thanks, the invoice is fine now.",
        "Mijn pakket is nog niet aangekomen.",
    ]
    insights = analyse_messages(texts, sentiment_model=sentiment, reason_model=reasons)
    assert [i.language for i in insights] == ["nl", "en", "nl"]
    assert insights[0].sentiment.label == "negative"
    assert [i.reason.best_guess for i in insights if i.reason] == ["delivery", "invoice", "delivery"]
    assert insights[2].reason is not None and insights[2].reason.reason == "delivery"
    assert analyse_messages([], sentiment_model=sentiment) == []
    assert analyse_messages(["ok"], sentiment_model=sentiment)[0].reason is None
