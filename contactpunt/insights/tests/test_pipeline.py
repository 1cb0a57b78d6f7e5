from __future__ import annotations

from typing import Any

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


class CountingEncoder:
    """The real encoder, counting the texts it is asked to read."""

    def __init__(self, inner: UniversalSentenceEncoder) -> None:
        self.inner, self.read = inner, 0
        self.name, self.dimension = inner.name, inner.dimension

    def encode(self, texts: list[str]) -> Any:
        self.read += len(texts)
        return self.inner.encode(texts)


def test_a_text_that_comes_many_times_is_read_once_and_gets_the_same_insight(
    encoder: UniversalSentenceEncoder, no_network: None
) -> None:
    counting = CountingEncoder(encoder)
    sentiment = SentimentModel.load(encoder=counting)
    form = "Bedankt voor jullie snelle hulp!"
    texts = [form, "Mijn pakket is nog niet aangekomen.", form, form]
    insights = analyse_messages(texts, sentiment_model=sentiment)
    assert counting.read == 2
    assert insights[0] is insights[2] is insights[3]
    # The same as read alone (an embedding differs in its last float digits with the batch it is read in).
    alone = [analyse_messages([text], sentiment_model=sentiment)[0] for text in texts]
    assert [(i.language, i.sentiment.label) for i in insights] == [(i.language, i.sentiment.label) for i in alone]
    assert all(abs(i.sentiment.score - j.sentiment.score) < 0.001 for i, j in zip(insights, alone, strict=True))
