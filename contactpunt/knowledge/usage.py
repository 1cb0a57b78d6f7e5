"""Portal usage: the visitor's random id, the hold-out, and the events that measure self-service.

A visitor is a random id kept in the session (no cookie of its own, no personal data). A fixed share of
visitors (settings.KNOWLEDGE_HOLDOUT_PERCENT, default 10) is held out: they see no suggestions, so the contact
rate with and without suggestions can be compared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from contactpunt.knowledge.models import Article, PortalContact, UsageEvent, UsageKind

VISITOR_KEY = "knowledge_visitor"
READ_KEY = "knowledge_read"
MAX_READ = 20
MAX_MISSING = 2000
DEFAULT_HOLDOUT_PERCENT = 10
#: The most article ids kept with one suggestions event.
SUGGESTED_KEPT = 10
#: How long after a visitor's suggestions or reads their contact still counts as following them.
FOLLOW_UP = dt.timedelta(hours=72)


def visitor_of(session: SessionBase) -> str:
    """The visitor's id, made on the first visit."""
    visitor = session.get(VISITOR_KEY)
    if not isinstance(visitor, str) or len(visitor) != 32:
        visitor = uuid.uuid4().hex
        session[VISITOR_KEY] = visitor
    return visitor


def is_held_out(visitor: str) -> bool:
    """Whether `visitor` falls in the hold-out (a stable hash of the id, so a visitor stays on one side)."""
    percent = int(getattr(settings, "KNOWLEDGE_HOLDOUT_PERCENT", DEFAULT_HOLDOUT_PERCENT))
    bucket = int(hashlib.sha256(visitor.encode()).hexdigest()[:8], 16) % 100
    return bucket < percent


def read_articles(session: SessionBase) -> list[int]:
    read = session.get(READ_KEY, [])
    return [int(pk) for pk in read if isinstance(pk, int)] if isinstance(read, list) else []


def record_view(
    *, session: SessionBase, article: Article, account_group: str = "", at: dt.datetime | None = None
) -> None:
    """Count a read of `article` (in `account_group`'s portal view, "" in the public portal) and remember it for
    the contact form."""
    visitor = visitor_of(session)
    read = [pk for pk in read_articles(session) if pk != article.pk] + [article.pk]
    session[READ_KEY] = read[-MAX_READ:]
    UsageEvent.objects.create(
        visitor=visitor, kind=UsageKind.VIEW, article=article, account_group=account_group[:80], at=at or timezone.now()
    )


def record_search(
    *, session: SessionBase, query: str, results: int, account_group: str = "", at: dt.datetime | None = None
) -> None:
    UsageEvent.objects.create(
        visitor=visitor_of(session),
        kind=UsageKind.SEARCH,
        query=query[:300],
        results=results,
        account_group=account_group[:80],
        at=at or timezone.now(),
    )


def record_vote(
    *,
    session: SessionBase,
    article: Article,
    helpful: bool,
    missing: str = "",
    account_group: str = "",
    at: dt.datetime | None = None,
) -> None:
    """One vote per visitor and article: voting again replaces the earlier vote."""
    visitor = visitor_of(session)
    with transaction.atomic():
        UsageEvent.objects.filter(visitor=visitor, kind=UsageKind.VOTE, article=article).delete()
        UsageEvent.objects.create(
            visitor=visitor,
            kind=UsageKind.VOTE,
            article=article,
            helpful=helpful,
            missing=missing.strip()[:MAX_MISSING],
            account_group=account_group[:80],
            at=at or timezone.now(),
        )


def record_suggestions(
    *,
    session: SessionBase,
    query: str,
    shown: Sequence[int],
    account_group: str = "",
    at: dt.datetime | None = None,
) -> None:
    record_suggestions_for(visitor=visitor_of(session), query=query, shown=shown, account_group=account_group, at=at)


def record_suggestions_for(
    *, visitor: str, query: str, shown: Sequence[int], account_group: str = "", at: dt.datetime | None = None
) -> None:
    """Count the articles `shown` (by id) as suggestions to `visitor` (the portal's session id, or the chat
    widget's own), with its side of the hold-out; a contact of the visitor that follows has them attached."""
    UsageEvent.objects.create(
        visitor=visitor,
        kind=UsageKind.SUGGESTED,
        query=query[:300],
        results=len(shown),
        shown=list(shown)[:SUGGESTED_KEPT],
        held_out=is_held_out(visitor),
        account_group=account_group[:80],
        at=at or timezone.now(),
    )


def link_contact(
    *, session: SessionBase, contact_id: int, account_group: str = "", at: dt.datetime | None = None
) -> PortalContact:
    """Attach the articles the visitor read to the contact they sent from the portal (once per contact), with the
    account group when it was sent from that group's portal view."""
    visitor = visitor_of(session)
    with transaction.atomic():
        link, created = PortalContact.objects.get_or_create(
            contact_id=contact_id,
            defaults={
                "visitor": visitor,
                "held_out": is_held_out(visitor),
                "account_group": account_group[:80],
                "at": at or timezone.now(),
            },
        )
        if created:
            link.articles.set(Article.objects.filter(pk__in=read_articles(session)))
            UsageEvent.objects.create(
                visitor=visitor,
                kind=UsageKind.CONTACT,
                held_out=link.held_out,
                account_group=link.account_group,
                at=at or timezone.now(),
            )
    return link


def link_chat_contact(*, visitor: str, contact_id: int, at: dt.datetime | None = None) -> PortalContact:
    """Count the contact of a widget visitor (a chat, or a message left in the chat) who may have been shown
    suggestions (once per contact): their suggestions were then followed by a contact. The articles suggested to
    the visitor in the 72 hours before are attached to it, so the agent sees what the customer was offered."""
    at = at or timezone.now()
    with transaction.atomic():
        link, created = PortalContact.objects.get_or_create(
            contact_id=contact_id, defaults={"visitor": visitor, "held_out": is_held_out(visitor), "at": at}
        )
        if created:
            shown = UsageEvent.objects.filter(
                visitor=visitor, kind=UsageKind.SUGGESTED, at__gte=link.at - FOLLOW_UP, at__lte=link.at
            ).values_list("shown", flat=True)
            ids = {pk for row in shown if isinstance(row, list) for pk in row if isinstance(pk, int)}
            link.articles.set(Article.objects.filter(pk__in=ids))
            UsageEvent.objects.create(visitor=visitor, kind=UsageKind.CONTACT, held_out=link.held_out, at=link.at)
    return link
