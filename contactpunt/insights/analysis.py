"""Analyse inbound messages and store what insights says about them (one MessageInsight per message).

Called by the background task that the contacts' announcements enqueue, and by ``contactpunt insights
backfill``. Idempotent: a message that already has an insight is skipped, and a concurrent run that
stores the same message first wins (the insert ignores the conflict).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from contactpunt.contacts.models import ContactReason, Direction, Message
from contactpunt.insights.lifecycle import active_reason_model
from contactpunt.insights.models import MessageInsight
from contactpunt.insights.pipeline import analyse_messages
from contactpunt.insights.sentiment import SentimentModel

BATCH_SIZE = 64
#: The history's analysis stores this many messages at a time (newest first).
BACKLOG_BATCH = 256

_sentiment_model: SentimentModel | None = None
_sentiment_lock = threading.Lock()


def shipped_sentiment_model() -> SentimentModel:
    """The shipped sentiment model, loaded once per process."""
    global _sentiment_model  # noqa: PLW0603 - read-only weights, loaded once per process
    with _sentiment_lock:
        if _sentiment_model is None:
            _sentiment_model = SentimentModel.load()
        return _sentiment_model


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """How many messages were analysed now, and how many already had an insight."""

    analysed: int
    skipped: int


def inbound_messages() -> QuerySet[Message]:
    """Inbound customer messages (internal notes and agents' replies are never analysed)."""
    return Message.objects.filter(direction=Direction.INBOUND, is_internal=False).exclude(Q(text="") & Q(subject=""))


def message_text(subject: str, text: str) -> str:
    """The text analysed: the body, or the subject when there is no body."""
    return text.strip() or subject.strip()


def analyse_contacts(contact_ids: Iterable[int]) -> AnalysisResult:
    """Analyse the inbound messages of these contacts that have no insight yet."""
    ids = sorted(set(contact_ids))
    if not ids:
        return AnalysisResult(0, 0)
    analysed = skipped = 0
    for start in range(0, len(ids), 1000):
        result = analyse_messages_of(inbound_messages().filter(contact_id__in=ids[start : start + 1000]))
        analysed += result.analysed
        skipped += result.skipped
    return AnalysisResult(analysed, skipped)


@dataclass(frozen=True, slots=True)
class Backlog:
    """The inbound messages without an insight: how many are left of how many in all."""

    left: int
    total: int


def backlog() -> Backlog:
    """How many inbound messages still wait for their analysis (two counts)."""
    messages = inbound_messages()
    return Backlog(messages.filter(insight__isnull=True).count(), messages.count())


def analyse_backlog(
    *, seconds: float, report: Callable[[int, int], None] | None = None, clock: Callable[[], float] = time.monotonic
) -> Backlog:
    """Analyse the newest inbound messages without an insight, batch by batch, until none is left or `seconds`
    have passed (checked after each batch); return the backlog that is left. `report(done, total)` is told after
    each batch. Newest first: the pages show the recent weeks, and those are right first.

    What is left is read from the database, not from a list of ids: a run that stops (a slice ends, the worker is
    restarted) loses nothing, and an erased customer's messages are simply gone from it."""
    started = clock()
    state = backlog()
    while state.left:
        rows = list(
            inbound_messages()
            .filter(insight__isnull=True)
            .order_by("-id")
            .values_list("id", "contact_id", "contact__occurred_at", "subject", "text")[:BACKLOG_BATCH]
        )
        if not rows:
            break
        _store(rows)
        state = Backlog(max(0, state.left - len(rows)), state.total)
        if report is not None:
            report(state.total - state.left, state.total)
        if clock() - started >= seconds:
            break
    return backlog() if state.left else state


def analyse_messages_of(messages: QuerySet[Message]) -> AnalysisResult:
    """Analyse every message of ``messages`` that has no insight yet, in batches of BATCH_SIZE."""
    rows = list(
        messages.filter(insight__isnull=True)
        .order_by("id")
        .values_list("id", "contact_id", "contact__occurred_at", "subject", "text")
    )
    total = messages.count()
    for start in range(0, len(rows), BATCH_SIZE):
        _store(rows[start : start + BATCH_SIZE])
    return AnalysisResult(len(rows), total - len(rows))


def _store(rows: Sequence[tuple[int, int, dt.datetime, str, str]]) -> None:
    sentiment_model = shipped_sentiment_model()
    reason_model = active_reason_model()
    texts = [message_text(subject, text) for _id, _contact, _at, subject, text in rows]
    results = analyse_messages(texts, sentiment_model=sentiment_model, reason_model=reason_model)
    reason_ids = dict(ContactReason.objects.values_list("code", "pk")) if reason_model is not None else {}
    sentiment_version = str(sentiment_model.manifest.get("version", ""))
    insights = []
    for (message_id, contact_id, occurred_at, _subject, _text), result in zip(rows, results, strict=True):
        suggestion = result.reason
        insights.append(
            MessageInsight(
                message_id=message_id,
                contact_id=contact_id,
                occurred_at=occurred_at,
                language=result.language,
                sentiment=result.sentiment.label,
                sentiment_score=result.sentiment.score,
                suggested_reason_id=reason_ids.get(suggestion.reason) if suggestion and suggestion.reason else None,
                reason_confidence=round(suggestion.confidence, 4) if suggestion else None,
                reason_is_unsure=suggestion.is_unsure if suggestion else False,
                reason_model_version=reason_model.version if reason_model is not None else "",
                sentiment_model_version=sentiment_version,
            )
        )
    MessageInsight.objects.bulk_create(insights, ignore_conflicts=True)
