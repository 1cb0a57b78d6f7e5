"""The knowledge owner's to-do (issue 19: "flagged to the knowledge owner", "flagged to their owner"): their
published articles past the review date, and the growing contact reasons that no article for customers answers.

The periodic job (`tasks.flag_owner_tasks`) runs `refresh`, which flags new items as `OwnerTask` rows and marks done
the ones no longer due; searching for a reason's candidate article is too slow to do on every page. What a person
is shown is also checked when read (`open_tasks`), so an item leaves their list the moment it is handled (the
article reviewed or retired, an article naming the reason published), not only at the next run.

A reason goes to the owner of the article search finds for it (they may only have to name the reason there), and
when no article comes close, or it has no owner, to every knowledge owner (whoever may write articles). With
settings.KNOWLEDGE_TASK_EMAIL on, each owner is also mailed what was newly flagged to them, through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from contactpunt.access import Action, can
from contactpunt.contacts.models import Channel, ContactReason
from contactpunt.contacts.services.notices import NoticeDraft, NoticeError, queue_notice
from contactpunt.knowledge import coverage
from contactpunt.knowledge.models import Article, ArticleStatus, OwnerTask, TaskKind
from contactpunt.people.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refreshed:
    flagged: int
    done: int


def knowledge_owners() -> list[User]:
    """The active people who may write articles, by username."""
    return [
        user for user in User.objects.filter(is_active=True).order_by("username") if can(user, Action.MANAGE_ARTICLES)
    ]


def _due_reviews(today: dt.date) -> set[tuple[int, int]]:
    """(owner id, article id) of every published article past its review date whose owner is active."""
    return set(
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED, review_by__lt=today, owner__isnull=False, owner__is_active=True
        ).values_list("owner_id", "pk")
    )


def _uncovered(today: dt.date) -> dict[tuple[int, int], tuple[int, int, int | None]]:
    """(owner id, reason id) -> (contacts this week, the week before, the candidate article's id) for every
    uncovered growing reason."""
    owners: list[User] | None = None
    wanted: dict[tuple[int, int], tuple[int, int, int | None]] = {}
    for row in coverage.uncovered_growing(today):
        owner = row.candidate.owner if row.candidate is not None else None
        if owner is not None and owner.is_active and can(owner, Action.MANAGE_ARTICLES):
            chosen = [owner]
        else:
            owners = knowledge_owners() if owners is None else owners
            chosen = owners
        for person in chosen:
            candidate = row.candidate.pk if row.candidate is not None else None
            wanted[(person.pk, row.reason.pk)] = (row.count, row.previous, candidate)
    return wanted


def refresh(*, today: dt.date, now: dt.datetime | None = None) -> Refreshed:
    """Flag what is due on local day `today` and mark done what no longer is; idempotent."""
    now = now or timezone.now()
    reviews = _due_reviews(today)
    reasons = _uncovered(today)
    flagged = done = 0
    with transaction.atomic():
        open_tasks = list(OwnerTask.objects.select_for_update().filter(done_at__isnull=True))
        seen_reviews: set[tuple[int, int]] = set()
        seen_reasons: set[tuple[int, int]] = set()
        finished: list[int] = []
        for task in open_tasks:
            if task.kind == TaskKind.REVIEW and task.article_id is not None:
                key = (task.owner_id, task.article_id)
                if key in reviews:
                    seen_reviews.add(key)
                    continue
            elif task.kind == TaskKind.REASON and task.reason_id is not None:
                key = (task.owner_id, task.reason_id)
                if key in reasons:
                    seen_reasons.add(key)
                    figures = reasons[key]
                    if (task.count, task.previous, task.article_id) != figures:
                        task.count, task.previous, task.article_id = figures
                        task.save(update_fields=["count", "previous", "article"])
                    continue
            finished.append(task.pk)
        done = OwnerTask.objects.filter(pk__in=finished, done_at__isnull=True).update(done_at=now)
        new = [
            OwnerTask(owner_id=owner_id, kind=TaskKind.REVIEW, article_id=article_id, flagged_at=now)
            for owner_id, article_id in sorted(reviews - seen_reviews)
        ]
        new += [
            OwnerTask(
                owner_id=owner_id,
                kind=TaskKind.REASON,
                reason_id=reason_id,
                count=count,
                previous=previous,
                article_id=candidate,
                flagged_at=now,
            )
            for (owner_id, reason_id), (count, previous, candidate) in sorted(reasons.items())
            if (owner_id, reason_id) not in seen_reasons
        ]
        OwnerTask.objects.bulk_create(new)
        flagged = len(new)
        if getattr(settings, "KNOWLEDGE_TASK_EMAIL", False):
            _mail_owners(new)
    return Refreshed(flagged, done)


def _mail_owners(new: list[OwnerTask]) -> None:
    """Tell each owner with an e-mail address, in one message through the outbox, what was newly flagged to them."""
    by_owner: dict[int, list[OwnerTask]] = {}
    for task in new:
        by_owner.setdefault(task.owner_id, []).append(task)
    owners = User.objects.in_bulk(list(by_owner))
    articles = Article.objects.in_bulk([t.article_id for t in new if t.kind == TaskKind.REVIEW and t.article_id])
    reasons = ContactReason.objects.in_bulk([t.reason_id for t in new if t.reason_id])
    link = f"{settings.PUBLIC_URL}{reverse('knowledge:todo')}"
    with translation.override(settings.LANGUAGE_CODE):
        for owner_id, tasks in sorted(by_owner.items()):
            owner = owners.get(owner_id)
            if owner is None or "@" not in (owner.email or ""):
                continue
            lines = []
            for task in tasks:
                if task.kind == TaskKind.REVIEW and task.article_id in articles:
                    lines.append("- " + gettext("Review due: %(title)s") % {"title": articles[task.article_id].title})
                elif task.reason_id in reasons:
                    lines.append(
                        "- "
                        + gettext("Growing contact reason without an article: %(name)s (%(count)d contacts this week)")
                        % {"name": reasons[task.reason_id].name, "count": task.count}
                    )
            subject = ngettext("Knowledge base: %(count)d new task", "Knowledge base: %(count)d new tasks", len(lines))
            body = "\n".join([*lines, "", gettext("Your knowledge tasks: %(link)s") % {"link": link}])
            try:
                queue_notice(NoticeDraft(None, None, Channel.EMAIL, owner.email, subject % {"count": len(lines)}, body))
            except NoticeError:
                logger.warning("no e-mail outbox: the knowledge tasks of user %s were not mailed", owner_id)


def open_tasks(user: User, today: dt.date) -> QuerySet[OwnerTask]:
    """The person's to-do items that are still to be done on local day `today` (one query): a review while the
    article is theirs, published and past its date; a reason while no published article for customers names it
    or its parent reason."""
    named = coverage.named_reasons()
    still_due = Q(
        kind=TaskKind.REVIEW,
        article__owner=user,
        article__status=ArticleStatus.PUBLISHED,
        article__review_by__lt=today,
    ) | (Q(kind=TaskKind.REASON) & ~Q(reason_id__in=named) & ~Q(reason__parent_id__in=named))
    return OwnerTask.objects.filter(owner=user, done_at__isnull=True).filter(still_due)


def open_count(user: object, today: dt.date) -> int:
    """How many to-do items `user` has open; 0 without a query for whoever may not write articles."""
    if not isinstance(user, User) or not can(user, Action.MANAGE_ARTICLES):
        return 0
    return open_tasks(user, today).count()
