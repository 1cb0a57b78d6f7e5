"""Searching the articles: the stored postings read back and ranked in Python (BM25), the same on every database.

`reindex` writes an article's postings (services call it in their transaction); `search` answers a query for
a scope (language, who is asking). The portal, the agents' suggestions and `contactpunt knowledge search` all
call `search`, so they rank alike.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from contactpunt.knowledge.models import Article, ArticleStatus, Audience, IndexedTerm, IndexState
from contactpunt.knowledge.query import query_terms
from contactpunt.knowledge.ranking import TITLE_WEIGHT, Collection, bm25
from contactpunt.knowledge.text import analyse

MAX_QUERY = 300
#: Scores are rounded before sorting, so a last-bit difference can never swap two articles.
SCORE_DIGITS = 9


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a search looks in: published ones in `language` (None: any), for the public, or also
    the internal ones (agents), or also one account group's."""

    language: str | None = "nl"
    internal: bool = False
    account_group: str = ""

    def condition(self, prefix: str = "") -> Q:
        audience = Q(**{f"{prefix}audience": Audience.PUBLIC})
        if self.internal:
            audience |= Q(**{f"{prefix}audience": Audience.INTERNAL})
            audience |= Q(**{f"{prefix}audience": Audience.ACCOUNT_GROUP})
        elif self.account_group:
            audience |= Q(**{f"{prefix}audience": Audience.ACCOUNT_GROUP, f"{prefix}account_group": self.account_group})
        condition = Q(**{f"{prefix}status": ArticleStatus.PUBLISHED}) & audience
        if self.language:
            condition &= Q(**{f"{prefix}language": self.language})
        return condition


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: int
    public_id: str
    title: str
    score: float

    def as_json(self) -> dict[str, object]:
        return {"article_id": self.public_id, "title": self.title, "score": self.score}


@dataclass(frozen=True, slots=True)
class Result:
    hits: list[Hit]
    terms: dict[str, float] = field(default_factory=dict)


def weighted_terms(title: str, body: str, language: str) -> Counter[str]:
    """An article's terms with their counts, title terms weighted."""
    counts = Counter(analyse(body, language))
    for term in analyse(title, language):
        counts[term] += TITLE_WEIGHT
    return counts


def touch_index() -> None:
    """Mark the searchable set as changed (the cached vocabularies are then read again)."""
    IndexState.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def reindex(article: Article) -> None:
    """Replace `article`'s postings with those of its current title and body."""
    counts = weighted_terms(article.title, article.body, article.language)
    IndexedTerm.objects.filter(article=article).delete()
    IndexedTerm.objects.bulk_create(
        [IndexedTerm(article=article, term=term, count=count) for term, count in sorted(counts.items())],
        batch_size=500,
    )
    length = sum(counts.values())
    if article.indexed_length != length:
        Article.objects.filter(pk=article.pk).update(indexed_length=length)
        article.indexed_length = length
    touch_index()


_vocabularies: dict[tuple[str, str | None], frozenset[str]] = {}
_collections: dict[tuple[str, Scope], tuple[Collection, dict[int, int]]] = {}


def _state() -> str:
    return IndexState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def collection(scope: Scope, state: str) -> tuple[Collection, dict[int, int]]:
    """The articles in `scope` (id -> indexed length) with their size and total length, cached until the index
    changes."""
    key = (state, scope)
    if key not in _collections:
        lengths = dict(Article.objects.filter(scope.condition()).values_list("pk", "indexed_length"))
        if len(_collections) > 64:
            _collections.clear()
        _collections[key] = (Collection(len(lengths), sum(lengths.values())), lengths)
    return _collections[key]


def vocabulary(language: str | None, state: str | None = None) -> frozenset[str]:
    """Every term of the published articles in `language`, cached until the index changes."""
    state = _state() if state is None else state
    key = (state, language)
    if key not in _vocabularies:
        rows = IndexedTerm.objects.filter(article__status=ArticleStatus.PUBLISHED)
        if language:
            rows = rows.filter(article__language=language)
        if len(_vocabularies) > 8:
            _vocabularies.clear()
        _vocabularies[key] = frozenset(rows.values_list("term", flat=True).distinct())
    return _vocabularies[key]


def search(query: str, *, scope: Scope, limit: int = 10) -> Result:
    """The articles in `scope` ranked by BM25 for `query` (best first, ties by id); at most `limit`."""
    language = scope.language or "nl"
    state = _state()
    terms = query_terms(query[:MAX_QUERY], language, vocabulary(scope.language, state))
    if not terms or limit <= 0:
        return Result([], terms)
    size, lengths = collection(scope, state)
    rows = IndexedTerm.objects.filter(term__in=sorted(terms)).values_list("article_id", "term", "count")
    postings = [row for row in rows.iterator(chunk_size=5000) if row[0] in lengths]
    scores = bm25(query=terms, postings=postings, lengths=lengths, collection=size)
    if not scores:
        return Result([], terms)
    rounded = {pk: round(score, SCORE_DIGITS) for pk, score in scores.items()}
    by_score = sorted(rounded.items(), key=lambda item: -item[1])
    cutoff = by_score[min(limit, len(by_score)) - 1][1]
    # Only the articles that can still place are looked up; ties at the cut are kept so the id decides.
    candidates = [pk for pk, score in by_score if score >= cutoff]
    ids = {pk: (external or str(pk), title) for pk, external, title in _titles(candidates)}
    ranked = sorted(candidates, key=lambda pk: (-rounded[pk], ids[pk][0]))[:limit]
    return Result([Hit(pk, ids[pk][0], ids[pk][1], round(scores[pk], 6)) for pk in ranked], terms)


def _titles(ids: list[int]) -> list[tuple[int, str | None, str]]:
    found: list[tuple[int, str | None, str]] = []
    for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
        found.extend(Article.objects.filter(pk__in=ids[start : start + 900]).values_list("pk", "external_id", "title"))
    return found
