"""Growing contact reasons that no article covers, flagged to the knowledge owners (issue 19, "Usage and
deflection"): self-service can only take away contacts that customers find an answer to.

A reason is covered when a published article customers can read (public, or for an account group) names it, or
names its parent reason, among the reasons it answers. Search finds candidates but decides nothing: the best
article for the reason's name is shown beside an uncovered reason so its owner can link it, or see it misses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from contactpunt.contacts.models import ContactReason
from contactpunt.insights.weekly import growing_reasons
from contactpunt.knowledge.models import Article, ArticleStatus, Audience
from contactpunt.knowledge.search import Scope, search


@dataclass(frozen=True, slots=True)
class Uncovered:
    """A growing reason with no article for customers: its contacts this week and the week before, and the article
    search finds for its name (None when none), which may answer it and then should name it."""

    reason: ContactReason
    count: int
    previous: int
    candidate: Article | None


def named_reasons() -> QuerySet[Any]:
    """The reasons (ids, as a subquery) a published article for customers names; their children are covered too."""
    return Article.reasons.through.objects.filter(
        article__status=ArticleStatus.PUBLISHED, article__audience__in=[Audience.PUBLIC, Audience.ACCOUNT_GROUP]
    ).values("contactreason_id")


def covered_reasons() -> set[int]:
    """The reasons (by id) a published article for customers names, with their child reasons."""
    named = set(named_reasons().values_list("contactreason_id", flat=True))
    children = ContactReason.objects.filter(parent_id__in=named).values_list("pk", flat=True)
    return named | set(children)


def uncovered_growing(day: dt.date) -> list[Uncovered]:
    """The growing reasons of the week that holds local day `day` that no article covers, fastest growth first."""
    covered = covered_reasons()
    growing = [row for row in growing_reasons(day) if row[0] not in covered]
    reasons = ContactReason.objects.in_bulk([reason_id for reason_id, _count, _previous in growing])
    found: list[Uncovered] = []
    for reason_id, count, previous in growing:
        reason = reasons.get(reason_id)
        if reason is None:
            continue
        hits = search(reason.name, scope=Scope(language=None, account_group=""), limit=1).hits
        candidate = Article.objects.select_related("owner").filter(pk=hits[0].article_id).first() if hits else None
        found.append(Uncovered(reason, count, previous, candidate))
    return found
