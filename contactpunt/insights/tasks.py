"""Background work of insights: analyse new inbound messages, retrain the reason model, find structural problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext_noop
from django_tasks import task

from contactpunt.contacts.announcements import Message
from contactpunt.insights import analysis, lifecycle, structural
from contactpunt.ops import periodic, progress
from contactpunt.ops.lanes import LONG, SHORT

#: A batch of arrivals up to this size is analysed in the short lane (live traffic: a handful at a time); a larger
#: one is a backfill (the demo's history, a mailbox imported at once): the long lane's one history job analyses it,
#: after training and planning, so the short lane's replies and figures never wait behind it.
LIVE_BATCH = 100
BACKFILL_PRIORITY = -10
#: The history job works this long, then makes room: it enqueues its next slice behind whatever the long lane got
#: meanwhile (a shift plan, a training), so a history of 100,000 messages never holds the lane for most of an hour.
HISTORY_SLICE_SECONDS = 60.0
#: And it looks for messages left without an analysis (a failed live job, a worker stopped mid-way) this often.
HISTORY_EVERY = dt.timedelta(minutes=30)
RETRAIN_EVERY = dt.timedelta(days=1)
DETECT_EVERY = dt.timedelta(hours=6)


@task(queue_name=SHORT)
def analyse_contacts(contact_ids: list[int]) -> int:
    """Store the insights of these contacts' inbound messages; return how many were analysed now."""
    return analysis.analyse_contacts(contact_ids).analysed


@task(queue_name=LONG, priority=BACKFILL_PRIORITY)
def analyse_history() -> int:
    """Analyse the newest messages still without an insight for one slice, then enqueue the next slice if any are
    left; return how many are left. The admin's page of the worker shows its progress (done of all messages)."""

    def told(done: int, total: int) -> None:
        progress.report(gettext_noop("analysing the history's messages"), done=done, total=total)

    left = analysis.analyse_backlog(seconds=HISTORY_SLICE_SECONDS, report=told).left
    if left:
        enqueue_history_analysis()
    return left


def enqueue_history_analysis() -> None:
    """Enqueue the history job unless a slice of it already waits (one waiting slice does all the work)."""
    periodic.enqueue_unless_waiting(analyse_history)


@task(queue_name=LONG)
def retrain_reason_model() -> str:
    """Train a new reason-model version and activate it if it is not worse; return the decision."""
    return lifecycle.retrain().decision


@task(queue_name=LONG)
def detect_structural_problems() -> int:
    """Flag reason spikes and find new topics up to now; return how many spikes and topics are stored."""
    return structural.detect().stored


def enqueue_analysis(messages: Sequence[Message]) -> None:
    """Announcement subscriber: one analysis task for a batch of received contacts in the short lane, or the
    history job in the long lane for a backfill (never inline)."""
    contact_ids = sorted({m.ids["contact_id"] for m in messages if "contact_id" in m.ids})
    if not contact_ids:
        return
    if len(contact_ids) <= LIVE_BATCH:
        analyse_contacts.enqueue(contact_ids)
        return
    enqueue_history_analysis()
