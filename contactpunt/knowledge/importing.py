"""Importing articles from CSV (`article_id, title, body, language[, category, audience]`): the article id is
kept as the external id, so importing again updates the same articles. Imported articles are published."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from contactpunt.knowledge.models import Article, ArticleLanguage, ArticleStatus, Audience, Category
from contactpunt.knowledge.services import ArticleFields, create_article, set_status, update_article

REQUIRED = ("article_id", "title", "body", "language")
#: The steps an imported article takes back to published.
TO_PUBLISHED: dict[str, tuple[str, ...]] = {
    ArticleStatus.RETIRED: (ArticleStatus.DRAFT, ArticleStatus.REVIEW, ArticleStatus.PUBLISHED),
    ArticleStatus.DRAFT: (ArticleStatus.REVIEW, ArticleStatus.PUBLISHED),
    ArticleStatus.REVIEW: (ArticleStatus.PUBLISHED,),
}


class ImportError_(ValueError):
    """The file cannot be read as an article CSV (the message names the column or the row and field)."""


@dataclass(slots=True)
class Imported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the CSV at `path`; ImportError_ naming a missing column."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise ImportError_(f"missing column(s): {', '.join(missing)}")
        return [dict(row) for row in reader]


def _category(name: str, cache: dict[str, Category]) -> Category | None:
    name = name.strip()
    if not name:
        return None
    slug = slugify(name)[:80] or "categorie"
    if slug not in cache:
        cache[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name[:120]})
    return cache[slug]


def _values(row: dict[str, str], number: int, categories: dict[str, Category]) -> ArticleFields:
    language = (row.get("language") or "").strip().lower()
    if language not in ArticleLanguage.values:
        raise ImportError_(f"row {number}: language must be one of {', '.join(ArticleLanguage.values)}")
    audience = (row.get("audience") or "").strip().lower() or Audience.PUBLIC
    if audience not in (Audience.PUBLIC, Audience.INTERNAL):
        raise ImportError_(f"row {number}: audience must be public or internal")
    title, body = (row.get("title") or "").strip(), (row.get("body") or "").strip()
    if not title or not body:
        raise ImportError_(f"row {number}: {'title' if not title else 'body'} is empty")
    review_text = (row.get("review_by") or "").strip()
    try:
        review_by = dt.date.fromisoformat(review_text) if review_text else None
    except ValueError:
        raise ImportError_(f"row {number}: review_by must be a date written 2026-12-31") from None
    return ArticleFields(
        title=title[:200],
        body=body,
        language=language,
        audience=audience,
        category=_category(row.get("category") or "", categories),
        review_by=review_by,
    )


def import_rows(rows: Iterable[dict[str, str]]) -> Imported:
    """Create or update one published article per row, by its article_id; a bad row is reported by number
    and field and the others are imported."""
    result = Imported()
    categories: dict[str, Category] = {}
    existing = {a.external_id: a for a in Article.objects.exclude(external_id=None)}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        external_id = (row.get("article_id") or "").strip()[:120]
        try:
            if not external_id:
                raise ImportError_(f"row {number}: article_id is empty")
            values = _values(row, number, categories)
            with transaction.atomic():
                article = existing.get(external_id)
                if article is None:
                    existing[external_id] = create_article(
                        by=None, values=values, external_id=external_id, status=ArticleStatus.PUBLISHED
                    )
                    result.created += 1
                    continue
                keep = ArticleFields(
                    **{
                        **{item.name: getattr(article, item.name) for item in fields(ArticleFields)},
                        "title": values.title,
                        "body": values.body,
                        "language": values.language,
                        "audience": values.audience,
                        "category": values.category or article.category,
                    }
                )
                if not keep.changes(article) and article.status == ArticleStatus.PUBLISHED:
                    result.unchanged += 1
                    continue
                article = update_article(by=None, article=article, values=keep, note="import")
                for step in TO_PUBLISHED.get(article.status, ()):
                    article = set_status(by=None, article=article, status=step)
                existing[external_id] = article
                result.updated += 1
        except (ImportError_, ValidationError) as error:
            result.errors.append(str(error) if isinstance(error, ImportError_) else f"row {number}: {error}")
    return result


def load_published(rows: Iterable[dict[str, str]]) -> int:
    """Set-based load of published public articles for the demo and benchmarks: rows whose article_id is
    already stored are skipped (so loading twice adds nothing); returns how many were added. No per-row
    audit entry: one entry records the load."""
    from contactpunt.audit import services as audit
    from contactpunt.knowledge.models import ArticleVersion, IndexedTerm
    from contactpunt.knowledge.search import touch_index, weighted_terms

    categories: dict[str, Category] = {}
    stored = set(Article.objects.exclude(external_id=None).values_list("external_id", flat=True))
    fresh: list[tuple[Article, dict[str, int]]] = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):
            external_id = (row.get("article_id") or "").strip()[:120]
            if not external_id or external_id in stored:
                continue
            values = _values(row, number, categories)
            counts = weighted_terms(values.title, values.body, values.language)
            article = Article(
                external_id=external_id,
                title=values.title,
                body=values.body,
                language=values.language,
                audience=values.audience,
                category=values.category,
                status=ArticleStatus.PUBLISHED,
                indexed_length=sum(counts.values()),
                review_by=values.review_by,
            )
            article.published_at = article.created_at
            stored.add(external_id)
            fresh.append((article, dict(counts)))
        Article.objects.bulk_create([article for article, _ in fresh], batch_size=500)
        created = {a.external_id: a for a in Article.objects.filter(external_id__in=[a.external_id for a, _ in fresh])}
        ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(
                    article=created[a.external_id], number=1, title=a.title, body=a.body, status=a.status, note="loaded"
                )
                for a, _ in fresh
            ],
            batch_size=500,
        )
        IndexedTerm.objects.bulk_create(
            [
                IndexedTerm(article=created[a.external_id], term=term, count=count)
                for a, counts in fresh
                for term, count in sorted(counts.items())
            ],
            batch_size=2000,
        )
        if fresh:
            touch_index()
            audit.record(
                actor=None,
                actor_label="load",
                action="article.loaded",
                obj=created[fresh[0][0].external_id],
                changes={"articles": len(fresh)},
            )
    return len(fresh)
