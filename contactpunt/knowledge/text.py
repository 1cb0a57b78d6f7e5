"""Reading Dutch (and English) text for search: tokens, folded diacritics, stop words, Snowball stems.

Everything here is plain Python and deterministic, so the index and the queries are analysed the same way
on every database. `analyse` is the product's analyser; `plain_tokens` is the unstemmed baseline's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERM = 80

#: Words that carry no meaning for a question: pronouns in the "u" and "je" forms (so "Hoe wijzig ik uw
#: adres" and "hoe wijzig je je adres" read alike), articles, auxiliaries and question words.
STOPWORDS_NL = frozenset(
    {
        "aan",
        "al",
        "alle",
        "als",
        "ben",
        "bent",
        "bij",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "doe",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "even",
        "ga",
        "gaat",
        "graag",
        "heb",
        "hebben",
        "heeft",
        "het",
        "hier",
        "hoe",
        "hun",
        "ik",
        "in",
        "is",
        "je",
        "jij",
        "jou",
        "jouw",
        "jullie",
        "kan",
        "kun",
        "kunnen",
        "kunt",
        "maar",
        "me",
        "meer",
        "met",
        "mij",
        "mijn",
        "moet",
        "moeten",
        "na",
        "naar",
        "niet",
        "nog",
        "nu",
        "of",
        "om",
        "ons",
        "onze",
        "ook",
        "op",
        "over",
        "te",
        "ten",
        "ter",
        "tot",
        "u",
        "uw",
        "uwe",
        "van",
        "veel",
        "voor",
        "waar",
        "wanneer",
        "wat",
        "welk",
        "welke",
        "wie",
        "wil",
        "willen",
        "wilt",
        "word",
        "worden",
        "wordt",
        "zal",
        "zij",
        "zijn",
        "zo",
        "zou",
        "zouden",
    }
)
STOPWORDS_EN = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "the",
        "to",
        "want",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    }
)


def fold(text: str) -> str:
    """Casefolded `text` without diacritics ("Geïnstalleerd" -> "geinstalleerd")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return [word[:MAX_TERM] for word in _WORD.findall(fold(text))]


def plain_tokens(text: str) -> list[str]:
    """The baseline's tokens: lower-cased words, no folding, no stemming, no stop words."""
    return [word[:MAX_TERM] for word in _WORD.findall(text.lower())]


@lru_cache(maxsize=4)
def _stemmer(language: str) -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer("english" if language == "en" else "dutch")


@lru_cache(maxsize=65536)
def stem(word: str, language: str = "nl") -> str:
    """The Snowball stem of a folded word."""
    return str(_stemmer(language).stemWord(word))


def is_stopword(word: str, language: str = "nl") -> bool:
    return word in (STOPWORDS_EN if language == "en" else STOPWORDS_NL)


def content_words(text: str, language: str = "nl") -> list[str]:
    """The folded words of `text` that are not stop words (numbers kept)."""
    return [word for word in tokens(text) if not is_stopword(word, language)]


def analyse(text: str, language: str = "nl") -> list[str]:
    """The index terms of `text`: folded, stop words dropped, stemmed."""
    return [stem(word, language) for word in content_words(text, language)]
