from __future__ import annotations

from contactpunt.insights.lexicon import get_lexicon
from contactpunt.insights.service_sentences import SUBJECTS, service_sentences


def test_the_same_count_gives_the_same_sentences() -> None:
    first, again = service_sentences(200), service_sentences(200)
    assert first.texts == again.texts and first.labels == again.labels
    assert len(set(first.texts)) > 190


def test_service_words_stand_on_both_sides() -> None:
    rows = service_sentences(2000)
    assert set(rows.labels) == {"positive", "negative"}
    for word in ("refund", "complaint", "problem", "return"):
        sides = {label for text, label in zip(rows.texts, rows.labels, strict=True) if word in text}
        assert sides == {"positive", "negative"}, word
    assert all(any(subject in text.lower() for subject in SUBJECTS) for text in rows.texts)


def test_the_label_is_the_adjectives_side_turned_by_a_negation() -> None:
    english = get_lexicon("en")
    assert english is not None
    rows = service_sentences(2000)
    checked = 0
    for text, label in zip(rows.texts, rows.labels, strict=True):
        adjective = text.rstrip(".!").split()[-1].lower()
        if adjective not in english.words or "," in text:
            continue
        side = "positive" if english.words[adjective][0] > 0 else "negative"
        negated = " not " in text or " never " in text
        assert label == ({"positive": "negative", "negative": "positive"}[side] if negated else side), text
        checked += 1
    assert checked > 500
