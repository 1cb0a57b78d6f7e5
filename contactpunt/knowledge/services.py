"""Every write to articles: create, edit (a new version with who and what), move through draft -> review ->
published -> retired, and import from CSV. Each runs in a transaction, is audited and keeps the index current."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contactpunt.access import Action, check
from contactpunt.audit import services as audit
from contactpunt.contacts.models import ContactReason
from contactpunt.knowledge.models import (
    TRANSITIONS,
    Article,
    ArticleKind,
    ArticleLanguage,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Category,
    OwnerTask,
    TaskKind,
)
from contactpunt.knowledge.search import reindex, touch_index
from contactpunt.people.models import User

#: The next review date offered when an owner marks an article reviewed.
REVIEW_INTERVAL = dt.timedelta(days=182)

#: Called after commit-time changes of a published article's text or status: (article, previous version).
ChangeListener = Callable[[Article, int], object]
_listeners: list[ChangeListener] = []


def on_article_changed(listener: ChangeListener) -> None:
    """Call `listener` whenever a published article's text changes or the article is retired."""
    if listener not in _listeners:
        _listeners.append(listener)


@dataclass(frozen=True, slots=True)
class ArticleFields:
    """What an author writes; everything but title and body has a default."""

    title: str
    body: str
    language: str = ArticleLanguage.DUTCH
    kind: str = ArticleKind.FAQ
    category: Category | None = None
    audience: str = Audience.PUBLIC
    account_group: str = ""
    video_url: str = ""
    owner: User | None = None
    review_by: dt.date | None = None
    translation_of: Article | None = None

    def changes(self, article: Article) -> dict[str, list[object]]:
        """What differs from `article`, as [old, new] (related rows by id)."""
        changed: dict[str, list[object]] = {}
        for item in fields(self):
            new = getattr(self, item.name)
            old = getattr(article, item.name)
            if new != old:
                changed[item.name] = [_plain(old), _plain(new)]
        return changed


def _plain(value: object) -> object:
    if isinstance(value, Article | Category | User):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class ArticleError(ValueError):
    """A refused step, e.g. publishing a retired article without reworking it."""


def _require(by: User | None) -> None:
    """Refuse (PermissionDenied with the reason) a user below team lead; None is the system (an import)."""
    if by is not None:
        check(by, Action.MANAGE_ARTICLES)


def _apply(article: Article, values: ArticleFields) -> None:
    for item in fields(values):
        setattr(article, item.name, getattr(values, item.name))
    if article.audience != Audience.ACCOUNT_GROUP:
        article.account_group = ""
    elif not article.account_group:
        raise ValidationError({"account_group": "an article for an account group names the group"})


def _version(article: Article, *, by: User | None, at: dt.datetime, note: str = "") -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        status=article.status,
        changed_by=by,
        changed_at=at,
        note=note[:300],
    )


def create_article(
    *,
    by: User | None,
    values: ArticleFields,
    external_id: str | None = None,
    status: str = ArticleStatus.DRAFT,
    at: dt.datetime | None = None,
) -> Article:
    """A new article (version 1), indexed and audited. Raise PermissionDenied below team lead and
    ValidationError by field."""
    _require(by)
    at = at or timezone.now()
    with transaction.atomic():
        article = Article(external_id=external_id or None, status=status, created_at=at, updated_at=at)
        _apply(article, values)
        if status == ArticleStatus.PUBLISHED:
            article.published_at = at
        article.full_clean()
        article.save()
        _version(article, by=by, at=at, note="created")
        reindex(article)
        audit.record(actor=by, actor_label="" if by else "import", action="article.created", obj=article)
    return article


def update_article(
    *, by: User | None, article: Article, values: ArticleFields, note: str = "", at: dt.datetime | None = None
) -> Article:
    """Change the article; a changed title or text makes a new version (and, when published, flags every
    template that quotes it). Nothing changes when nothing differs."""
    _require(by)
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = values.changes(article)
        if not changed:
            return article
        previous = article.version
        text_changed = bool({"title", "body", "language"} & changed.keys())
        _apply(article, values)
        article.updated_at = at
        if text_changed:
            article.version += 1
        article.full_clean()
        article.save()
        if text_changed:
            _version(article, by=by, at=at, note=note)
        reindex(article)
        audit.record(
            actor=by, actor_label="" if by else "import", action="article.updated", obj=article, changes=changed
        )
        if text_changed and article.status == ArticleStatus.PUBLISHED:
            _announce(article, previous)
    return article


def set_status(*, by: User | None, article: Article, status: str, at: dt.datetime | None = None) -> Article:
    """Move the article to `status` along TRANSITIONS (ArticleError otherwise); retiring flags the templates
    that quote it. Asking for the status it has changes nothing."""
    _require(by)
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status == status:
            return article
        if status not in TRANSITIONS[article.status]:
            raise ArticleError(f"an article goes from {article.status} to one of {sorted(TRANSITIONS[article.status])}")
        before = article.status
        article.status = status
        article.updated_at = at
        if status == ArticleStatus.PUBLISHED:
            article.published_at = at
            article.retired_at = None
        if status == ArticleStatus.RETIRED:
            article.retired_at = at
        article.version += 1
        article.save(update_fields=["status", "updated_at", "published_at", "retired_at", "version"])
        _version(article, by=by, at=at, note=f"{before} -> {status}")
        touch_index()
        audit.record(
            actor=by,
            actor_label="" if by else "import",
            action="article.status",
            obj=article,
            changes={"status": [before, status]},
        )
        if before == ArticleStatus.PUBLISHED:
            _announce(article, article.version - 1)
    return article


def _announce(article: Article, previous: int) -> None:
    for listener in _listeners:
        listener(article, previous)


def version_diff(article: Article, number: int) -> list[str]:
    """The unified diff (title, then text) from version `number` - 1 to `number`; [] for the first."""
    versions = {v.number: v for v in ArticleVersion.objects.filter(article=article, number__in=[number - 1, number])}
    if number not in versions or number - 1 not in versions:
        return []
    old, new = versions[number - 1], versions[number]
    return list(
        difflib.unified_diff(
            [old.title, *old.body.splitlines()],
            [new.title, *new.body.splitlines()],
            fromfile=f"v{old.number}",
            tofile=f"v{new.number}",
            lineterm="",
        )
    )


def with_review(values: ArticleFields, review_by: dt.date | None) -> ArticleFields:
    return replace(values, review_by=review_by)


def set_reasons(*, by: User | None, article: Article, reasons: Iterable[ContactReason]) -> None:
    """Name the contact reasons `article` answers (replacing the earlier ones), audited when they change."""
    _require(by)
    wanted = sorted({reason.pk for reason in reasons})
    with transaction.atomic():
        before = sorted(article.reasons.values_list("pk", flat=True))
        if before == wanted:
            return
        article.reasons.set(wanted)
        changes = {"reasons": [before, wanted]}
        audit.record(
            actor=by, actor_label="" if by else "import", action="article.reasons", obj=article, changes=changes
        )


def mark_reviewed(
    *, by: User, article: Article, next_review: dt.date, today: dt.date, at: dt.datetime | None = None
) -> Article:
    """Record that `by` reviewed the published article and set its next review date (after `today`;
    ValidationError otherwise): it leaves its owner's to-do. The text does not change, so no version is written and
    no quoting template is flagged."""
    _require(by)
    if next_review <= today:
        raise ValidationError({"review_by": "the next review date lies in the future"})
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        before = article.review_by
        article.review_by = next_review
        article.save(update_fields=["review_by"])
        OwnerTask.objects.filter(kind=TaskKind.REVIEW, article=article, done_at__isnull=True).update(done_at=at)
        changes = {"review_by": [_plain(before), _plain(next_review)]}
        audit.record(actor=by, action="article.reviewed", obj=article, changes=changes)
    return article
