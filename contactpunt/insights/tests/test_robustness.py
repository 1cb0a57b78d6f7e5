"""Whatever a customer sends, the models answer and never raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpunt.insights.encoder import MAX_CHARACTERS, UniversalSentenceEncoder
from contactpunt.insights.language import detect_language
from contactpunt.insights.sentiment import SentimentModel

NASTY = [
    "\udcff broken mail header",  # a lone surrogate, as surrogateescape decoding leaves behind
    "\ud800",
    "\x00\x00\x00",
    "\u200b\u200b\u200b",
    "\u202eevil right-to-left override",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "<script>alert(1)</script>",
    "'; DROP TABLE contacts; --",
    "ﷺ",
    "a" * (MAX_CHARACTERS * 10),
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings(text: str, encoder: UniversalSentenceEncoder) -> None:
    assert detect_language(text).language in ("nl", "en", "other")
    vectors = encoder.encode([text, text])
    assert vectors.shape == (2, 512)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_any_text_gets_a_language_and_a_sentiment(texts: list[str]) -> None:
    model = SentimentModel.load()
    results = model.predict(texts)
    assert len(results) == len(texts)
    assert all(-1.0 <= r.score <= 1.0 for r in results)
    assert all(detect_language(text).language in ("nl", "en", "other") for text in texts)
