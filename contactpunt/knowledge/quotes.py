"""Templates that quote articles, and the block on sending them once the article changed or was retired.

`contacts` asks its template guards before a reply made from a template is sent; this module registers
`block_reason` as one (in KnowledgeConfig.ready), so contacts never imports knowledge. A changed article flags
every quoting template; a team lead reviews it (the quote then holds the new version) or removes the quote. A
template quoting a retired article stays blocked until the quote is removed. A reply sent from a quoting
template is recorded with the article version it carried (`record_sent_quotes`, on contacts' announcement), and
so is a reply into which the agent inserted an article's answer (`record_inserted_articles`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contactpunt.access import Action, check
from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Message as Announced
from contactpunt.contacts.models import Message, ResponseTemplate
from contactpunt.knowledge.models import Article, ArticleStatus, Audience, QuoteSent, TemplateQuote
from contactpunt.people.models import User


class QuoteError(ValueError):
    """A refused step on a quote, e.g. approving a quote of a retired article."""


def quote_article(*, by: User, template: ResponseTemplate, article: Article) -> TemplateQuote:
    """Bind `template` to the current version of the published `article` (again: to its current version)."""
    check(by, Action.MANAGE_TEMPLATES)
    if article.status != ArticleStatus.PUBLISHED:
        raise QuoteError("only a published article can be quoted")
    with transaction.atomic():
        quote, _ = TemplateQuote.objects.update_or_create(
            template=template,
            article=article,
            defaults={"version": article.version, "flagged_at": None, "quoted_by": by},
        )
        audit.record(actor=by, action="template.quoted", obj=template, changes={"article": article.pk})
    return quote


def flag_quotes(article: Article, previous: int) -> int:
    """Flag every quote of `article` made before its current version (the listener of article changes);
    returns how many were flagged."""
    return TemplateQuote.objects.filter(article=article, version__lt=article.version, flagged_at=None).update(
        flagged_at=article.updated_at
    )


def review_quote(*, by: User, quote: TemplateQuote, at: dt.datetime | None = None) -> TemplateQuote:
    """The reviewer checked the template against the article's new text: the quote now holds that version and
    the template may be sent again. Refused (QuoteError) for a retired article: remove the quote instead."""
    check(by, Action.MANAGE_TEMPLATES)
    with transaction.atomic():
        quote = TemplateQuote.objects.select_for_update().select_related("article").get(pk=quote.pk)
        if quote.article.status == ArticleStatus.RETIRED:
            raise QuoteError("the article is retired: change the template and remove the quote")
        quote.version = quote.article.version
        quote.flagged_at = None
        quote.reviewed_by = by
        quote.reviewed_at = at or timezone.now()
        quote.save(update_fields=["version", "flagged_at", "reviewed_by", "reviewed_at"])
        audit.record(
            actor=by, action="template.quote_reviewed", obj=quote.template, changes={"article": quote.article_id}
        )
    return quote


def remove_quote(*, by: User, quote: TemplateQuote) -> None:
    check(by, Action.MANAGE_TEMPLATES)
    with transaction.atomic():
        audit.record(
            actor=by, action="template.quote_removed", obj=quote.template, changes={"article": quote.article_id}
        )
        quote.delete()


def block_reason(template: ResponseTemplate) -> str | None:
    """Why `template` may not be sent: a quoted article was retired, or changed since it was quoted."""
    for quote in TemplateQuote.objects.filter(template=template).select_related("article").order_by("article_id"):
        article = quote.article
        if article.status == ArticleStatus.RETIRED:
            return gettext("it quotes the article “%(title)s”, which was retired") % {"title": article.title}
        if quote.flagged_at is not None or quote.version < article.version:
            return gettext("the article “%(title)s” it quotes changed (version %(old)d → %(new)d)") % {
                "title": article.title,
                "old": quote.version,
                "new": article.version,
            }
    return None


def flagged_quotes() -> list[TemplateQuote]:
    """Every quote whose template is blocked now, oldest flag first."""
    rows = TemplateQuote.objects.select_related("template", "article").order_by("flagged_at", "id")
    return [q for q in rows if q.article.status == ArticleStatus.RETIRED or q.version < q.article.version]


def record_sent_quotes(announced: Announced) -> None:
    """For a reply made from a template (REPLY_FROM_TEMPLATE): record each article the template quotes, at the
    version it quotes, as sent in that message. Idempotent (a redelivered announcement records nothing new)."""
    message_id, template_id = announced.ids["message_id"], announced.ids["template_id"]
    for quote in TemplateQuote.objects.filter(template_id=template_id):
        QuoteSent.objects.get_or_create(
            message_id=message_id,
            article_id=quote.article_id,
            defaults={"version": quote.version, "template_id": template_id},
        )


def record_inserted_articles(*, message: Message, articles: Sequence[tuple[int, int]]) -> int:
    """Record that the reply `message` quotes each (article id, version) the agent inserted from the case's
    suggestions, so the reply stays linked to the text it quoted when the article changes. Only published articles
    for customers count, at a version they had; others are ignored. Idempotent; return how many were recorded."""
    wanted = dict(articles)
    found = Article.objects.filter(
        pk__in=list(wanted), status=ArticleStatus.PUBLISHED, audience__in=[Audience.PUBLIC, Audience.ACCOUNT_GROUP]
    ).values_list("pk", "version")
    recorded = 0
    for article_id, version in found:
        if 1 <= wanted[article_id] <= version:
            _row, created = QuoteSent.objects.get_or_create(
                message=message,
                article_id=article_id,
                defaults={"version": wanted[article_id], "sent_at": message.created_at},
            )
            recorded += created
    return recorded
