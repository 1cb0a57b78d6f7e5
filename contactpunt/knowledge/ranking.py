"""BM25 over term counts, in plain Python: the same inputs give the same floats on every database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75
#: A title word counts as this many body words.
TITLE_WEIGHT = 3


@dataclass(frozen=True, slots=True)
class Collection:
    """What BM25 needs to know of the searched set: its size and its mean document length."""

    size: int
    total_length: int

    @property
    def mean_length(self) -> float:
        return self.total_length / self.size if self.size else 0.0


def idf(document_frequency: int, size: int) -> float:
    return math.log(1.0 + (size - document_frequency + 0.5) / (document_frequency + 0.5))


def bm25(
    *,
    query: Mapping[str, float],
    postings: Iterable[tuple[int, str, int]],
    lengths: Mapping[int, int],
    collection: Collection,
) -> dict[int, float]:
    """Score every document that holds a query term: `query` maps term -> weight, `postings` are
    (document, term, count) and `lengths` the document lengths. Terms are summed in sorted order, so the
    floats do not depend on the order the database returned the rows in."""
    by_term: dict[str, list[tuple[int, int]]] = {}
    for document, term, count in postings:
        by_term.setdefault(term, []).append((document, count))
    mean = collection.mean_length or 1.0
    norms: dict[int, float] = {}
    scores: dict[int, float] = {}
    # Term by term in sorted order: each document's sum is added up in the same order on every database.
    for term in sorted(by_term):
        rows = by_term[term]
        weight = query[term] * idf(len(rows), collection.size) * (K1 + 1.0)
        for document, count in rows:
            norm = norms.get(document)
            if norm is None:
                norm = norms[document] = K1 * (1.0 - B + B * lengths.get(document, 0) / mean)
            scores[document] = scores.get(document, 0.0) + weight * count / (count + norm)
    return scores


class MemoryIndex:
    """A whole BM25 index in memory (for the unstemmed baseline and for benchmarks)."""

    def __init__(self, documents: Mapping[int, list[str]]) -> None:
        self.postings: dict[str, list[tuple[int, int]]] = {}
        self.lengths = {document: len(terms) for document, terms in documents.items()}
        for document, terms in documents.items():
            counts: dict[str, int] = {}
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
            for term, count in counts.items():
                self.postings.setdefault(term, []).append((document, count))
        self.collection = Collection(len(documents), sum(self.lengths.values()))

    def search(self, terms: list[str], limit: int = 10) -> list[tuple[int, float]]:
        query = dict.fromkeys(terms, 1.0)
        rows = [(document, term, count) for term in query for document, count in self.postings.get(term, [])]
        scores = bm25(query=query, postings=rows, lengths=self.lengths, collection=self.collection)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
