"""Language of a message: Dutch, English or other, offline.

Uses py3langid (BSD-3-Clause; its naive-Bayes model ships inside the wheel, nothing is downloaded).
The identifier is restricted to the languages a Dutch customer-service team plausibly receives, so
that short Dutch lines are not taken for Afrikaans, Frisian or Luxembourgish; whatever is not Dutch
or English is reported as ``other``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["nl", "en", "other"]

# The languages the identifier chooses between. Not tuned on any data set: the languages of the
# Netherlands' larger communities and neighbours, plus the world's large ones.
CANDIDATE_LANGUAGES: tuple[str, ...] = (
    "nl",
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "pl",
    "tr",
    "ar",
    "ru",
    "uk",
    "ro",
    "bg",
    "hu",
    "da",
    "sv",
    "no",
    "fi",
    "zh",
    "ja",
    "ko",
    "hi",
    "id",
    "so",
    "fa",
    "vi",
    "el",
    "cs",
)

MAX_CHARACTERS = 2000

_lock = threading.Lock()
_identifier: Any = None


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """The detected language of one text and the detector's probability for it (0..1)."""

    language: Language
    confidence: float


def _get_identifier() -> Any:
    global _identifier  # noqa: PLW0603 - one shared, lazily loaded read-only model per process
    with _lock:
        if _identifier is None:
            # Imported by name: the package has no type information.
            langid = importlib.import_module("py3langid.langid")
            identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(CANDIDATE_LANGUAGES))
            _identifier = identifier
        return _identifier


def detect_language(text: str) -> LanguageResult:
    """Return the language of ``text``: ``nl``, ``en`` or ``other``.

    A text without any letter (empty, digits, emoji only) is ``other`` with confidence 0.0.
    """
    if not any(character.isalpha() for character in text):
        return LanguageResult("other", 0.0)
    identifier = _get_identifier()
    # The opening of a long message tells its language; this bounds the pure-Python scan.
    code, probability = identifier.classify(text[:MAX_CHARACTERS])
    language: Language = code if code in ("nl", "en") else "other"
    return LanguageResult(language, float(probability))


def detect_languages(texts: Iterable[str]) -> list[LanguageResult]:
    """Return :func:`detect_language` for each text, in order."""
    return [detect_language(text) for text in texts]
