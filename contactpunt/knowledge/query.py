"""From what a visitor typed to weighted index terms: stems, compounds and typos read against the vocabulary.

- a word whose stem is in the index is taken as it is;
- a compound that the index does not hold is split into two parts that it does hold ("wachtwoordherstel" ->
  "wachtwoord" + "herstel"), with the Dutch linking letters (s, e, en) allowed between them;
- two neighbouring words whose joined form the index holds add that form ("wachtwoord herstellen" ->
  "wachtwoordherstel");
- any other word is matched to the nearest index terms within one edit (two for long words) at a lower weight.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from contactpunt.knowledge.text import content_words, stem

FUZZY_WEIGHT = 0.6
PART_WEIGHT = 0.8
MIN_PART = 3
MAX_FUZZY = 3
LINKS = ("s", "en", "e")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), or limit + 1 when it is larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def split_compound(word: str, language: str, vocabulary: Collection[str]) -> list[str]:
    """The stems of the two parts of `word` that the vocabulary holds, the longest first part winning; []
    when no split fits."""
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        right = stem(tail, language)
        if right not in vocabulary:
            continue
        for link in ("", *LINKS):
            if link and not head.endswith(link):
                continue
            left_word = head[: len(head) - len(link)] if link else head
            if len(left_word) < MIN_PART:
                continue
            left = stem(left_word, language)
            if left in vocabulary:
                return [left, right]
    return []


def near_terms(term: str, vocabulary: Collection[str]) -> list[str]:
    """The vocabulary terms nearest to `term` within the typo allowance (none for words under 4 letters)."""
    if len(term) < 4:
        return []
    limit = 1 if len(term) <= 6 else 2
    best = limit + 1
    found: list[str] = []
    for candidate in vocabulary:
        if abs(len(candidate) - len(term)) > limit or (candidate[0] != term[0] and candidate[1:2] != term[1:2]):
            continue
        distance = edit_distance(term, candidate, limit)
        if distance < best:
            best, found = distance, [candidate]
        elif distance == best:
            found.append(candidate)
    return sorted(found)[:MAX_FUZZY] if best <= limit else []


def query_terms(text: str, language: str, vocabulary: Collection[str]) -> dict[str, float]:
    """The weighted terms to look up for `text`."""
    words = content_words(text, language)[:32]
    weights: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        weights[term] = max(weights.get(term, 0.0), weight)

    for word in words:
        term = stem(word, language)
        if term in vocabulary:
            add(term, 1.0)
            continue
        parts = split_compound(word, language, vocabulary)
        if parts:
            for part in parts:
                add(part, PART_WEIGHT)
            continue
        near = near_terms(term, vocabulary)
        for candidate in near:
            add(candidate, FUZZY_WEIGHT)
        if not near:
            add(term, 1.0)  # unknown: it matches nothing, but a search for it is recorded as it was
    for left, right in pairwise(words):
        for link in ("", "s"):
            joined = stem(left + link + right, language)
            if joined in vocabulary:
                add(joined, 1.0)
    return weights
