"""Everything insights says about a batch of inbound messages: language, sentiment and contact reason.

The sentence embedding is computed once per message and shared by the sentiment head and the
reason model, which is what keeps batch scoring fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from contactpunt.insights.cues import customer_sentiment
from contactpunt.insights.encoder import encode_in_batches
from contactpunt.insights.language import Language, detect_languages
from contactpunt.insights.reasons import ReasonModel, ReasonSuggestion
from contactpunt.insights.sentiment import SentimentModel, SentimentResult


@dataclass(frozen=True, slots=True)
class MessageInsight:
    """The language, sentiment and (when a reason model is given) reason suggestion of one message."""

    language: Language
    sentiment: SentimentResult
    reason: ReasonSuggestion | None


def analyse_messages(
    texts: list[str], *, sentiment_model: SentimentModel, reason_model: ReasonModel | None = None
) -> list[MessageInsight]:
    """Return one :class:`MessageInsight` per text, in order; ``reason`` is None without a reason model.

    Each distinct text is read once (a form letter, an auto-reply and "Bedankt!" come by the hundred), and a text's
    insight depends on nothing but the text."""
    if not texts:
        return []
    distinct = list(dict.fromkeys(texts))
    if len(distinct) < len(texts):
        read = dict(
            zip(
                distinct,
                analyse_messages(distinct, sentiment_model=sentiment_model, reason_model=reason_model),
                strict=True,
            )
        )
        return [read[text] for text in texts]
    embeddings = encode_in_batches(sentiment_model.encoder, texts)
    languages = detect_languages(texts)
    readings = sentiment_model.predict_embeddings(
        embeddings, texts=texts, languages=[language.language for language in languages]
    )
    # The model's reading, kept neutral where the message voices no opinion (a plain request, a polite letter).
    sentiments = [customer_sentiment(text, result) for text, result in zip(texts, readings, strict=True)]
    reasons: list[ReasonSuggestion | None] = [None] * len(texts)
    if reason_model is not None:
        same_encoder = reason_model.needs_embeddings and reason_model.encoder.name == sentiment_model.encoder.name
        shared = embeddings if same_encoder else None
        reasons = list(reason_model.suggest(texts, shared))
    return [
        MessageInsight(language.language, sentiment, reason)
        for language, sentiment, reason in zip(languages, sentiments, reasons, strict=True)
    ]
