"""Reads of articles that check permission: agents read what is published (internal articles included);
team leads and up, and the read-only viewer, also see drafts, articles in review and retired ones."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from contactpunt.access import Action, can, check
from contactpunt.knowledge.models import Article, ArticleStatus
from contactpunt.people.models import Role, User


def sees_every_status(user: User) -> bool:
    return can(user, Action.MANAGE_ARTICLES) or (can(user, Action.READ_ARTICLES) and user.role == Role.VIEWER)


def visible_articles(user: User) -> QuerySet[Article]:
    if not can(user, Action.READ_ARTICLES):
        return Article.objects.none()
    articles = Article.objects.select_related("category", "owner")
    return articles if sees_every_status(user) else articles.filter(status=ArticleStatus.PUBLISHED)


def get_article_for_user(user: User, article_id: object, *, write: bool = False) -> Article:
    """The article when the user may see it (Http404 otherwise); PermissionDenied on a write below team lead."""
    text = str(article_id)
    if not text.isdigit() or len(text) > 18:
        raise Http404("no such article")
    article = visible_articles(user).filter(pk=int(text)).first()
    if article is None:
        raise Http404("no such article")
    if write:
        check(user, Action.MANAGE_ARTICLES)
    return article


def translations_of(article: Article, among: QuerySet[Article]) -> list[Article]:
    """The other language versions of `article` found in `among`: its original, the original's other translations
    and its own translations, by language."""
    original = article.translation_of_id or article.pk
    condition = Q(pk=original) | Q(translation_of_id=original)
    return list(among.filter(condition).exclude(pk=article.pk).exclude(language=article.language).order_by("language"))
