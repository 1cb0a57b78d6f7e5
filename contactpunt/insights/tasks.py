"""Background work of insights: analyse new inbound messages, retrain the reason model, find structural problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django_tasks import task

from contactpunt.contacts.announcements import Message
from contactpunt.insights import analysis, lifecycle, structural
from contactpunt.ops.lanes import LONG, SHORT

#: A batch of arrivals up to this size is analysed in the short lane (live traffic: a handful at a time); a larger
#: one is a backfill (the demo's history, a mailbox imported at once) and goes to the long lane in chunks of
#: BACKFILL_CHUNK, after training and planning, so the short lane's replies and figures never wait behind it.
LIVE_BATCH = 100
BACKFILL_CHUNK = 250
BACKFILL_PRIORITY = -10
RETRAIN_EVERY = dt.timedelta(days=1)
DETECT_EVERY = dt.timedelta(hours=6)


@task(queue_name=SHORT)
def analyse_contacts(contact_ids: list[int]) -> int:
    """Store the insights of these contacts' inbound messages; return how many were analysed now."""
    return analysis.analyse_contacts(contact_ids).analysed


@task(queue_name=LONG)
def retrain_reason_model() -> str:
    """Train a new reason-model version and activate it if it is not worse; return the decision."""
    return lifecycle.retrain().decision


@task(queue_name=LONG)
def detect_structural_problems() -> int:
    """Flag reason spikes and find new topics up to now; return how many spikes and topics are stored."""
    return structural.detect().stored


def enqueue_analysis(messages: Sequence[Message]) -> None:
    """Announcement subscriber: one analysis task for a batch of received contacts in the short lane, or a
    backfill in chunks in the long lane (never inline)."""
    contact_ids = sorted({m.ids["contact_id"] for m in messages if "contact_id" in m.ids})
    if not contact_ids:
        return
    if len(contact_ids) <= LIVE_BATCH:
        analyse_contacts.enqueue(contact_ids)
        return
    backfill = analyse_contacts.using(queue_name=LONG, priority=BACKFILL_PRIORITY)
    for start in range(0, len(contact_ids), BACKFILL_CHUNK):
        backfill.enqueue(contact_ids[start : start + BACKFILL_CHUNK])
