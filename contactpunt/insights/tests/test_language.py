from __future__ import annotations

import pytest

from contactpunt.insights.language import detect_language, detect_languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik heb mijn pakket nog steeds niet ontvangen, kunnen jullie kijken waar het blijft?", "nl"),
        ("Goedemorgen, mijn factuur klopt niet.", "nl"),
        ("I still have not received my parcel, could you check where it is?", "en"),
        ("My invoice is wrong, please fix it.", "en"),
        ("Ich habe mein Paket noch nicht erhalten, wo bleibt es?", "other"),
        ("Je n'ai toujours pas reçu mon colis, pouvez-vous vérifier?", "other"),
        ("Todavía no he recibido mi paquete, ¿dónde está?", "other"),
    ],
)
def test_detects_dutch_english_and_other(text: str, expected: str) -> None:
    assert detect_language(text).language == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 678", "😀👍", "!!!"])
def test_text_without_letters_is_other_with_zero_confidence(text: str) -> None:
    result = detect_language(text)
    assert (result.language, result.confidence) == ("other", 0.0)


def test_confidence_is_a_probability_and_batch_keeps_order() -> None:
    texts = ["Dank je wel voor de snelle hulp!", "Thank you for the quick help!"]
    results = detect_languages(texts)
    assert [r.language for r in results] == ["nl", "en"]
    assert all(0.5 < r.confidence <= 1.0 for r in results)


def test_runs_offline(no_network: None) -> None:
    assert detect_language("Waar blijft mijn bestelling?").language == "nl"
