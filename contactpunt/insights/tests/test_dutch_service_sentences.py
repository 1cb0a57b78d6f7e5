from __future__ import annotations

from contactpunt.insights.dutch_service_sentences import ADJECTIVES, STORIES, SUBJECTS, dutch_service_sentences
from contactpunt.insights.lexicon import get_lexicon


def test_the_same_count_gives_the_same_sentences() -> None:
    first, again = dutch_service_sentences(300), dutch_service_sentences(300)
    assert first.texts == again.texts and first.labels == again.labels
    assert len(set(first.texts)) > 290


def test_service_words_and_stories_stand_on_both_sides() -> None:
    rows = dutch_service_sentences(2000)
    assert 0.4 < rows.labels.count("positive") / len(rows) < 0.6
    for word in ("probleem", "klacht", "retour", "terugbetaling", "bezorging", "maar", "niet"):
        sides = {label for text, label in zip(rows.texts, rows.labels, strict=True) if word in text.lower()}
        assert sides == {"positive", "negative"}, word
    for story in STORIES:
        sides = {label for text, label in zip(rows.texts, rows.labels, strict=True) if text.startswith(story)}
        assert sides == {"positive", "negative"}, story
    assert all(any(subject in text.lower() for subject in SUBJECTS) for text in rows.texts)


def test_the_label_is_the_lexicons_side_of_the_verdict() -> None:
    dutch = get_lexicon("nl")
    assert dutch is not None
    used = {word for word in ADJECTIVES if (entry := dutch.lookup(word)) and abs(entry[0]) >= 0.3}
    assert len(used) > 80
    rows = dutch_service_sentences(2000)
    checked = 0
    for text, label in zip(rows.texts, rows.labels, strict=True):
        verdict = text.split(". ")[-1] if text.split(". ")[0] + "." in STORIES else text
        words = verdict.rstrip(".!").split()
        if " maar " in verdict or " zo zou ik " in verdict or "?" in verdict or words[-1] not in used:
            continue
        side = "positive" if dutch.words[words[-1]][0] > 0 else "negative"
        negated = " niet " in verdict or " nooit " in verdict
        assert label == ({"positive": "negative", "negative": "positive"}[side] if negated else side), text
        checked += 1
    assert checked > 300
