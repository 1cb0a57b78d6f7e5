"""Every inbound message gets a stored insight, from a background task enqueued after commit, once."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from contactpunt.contacts.models import Message
from contactpunt.insights import analysis
from contactpunt.insights.models import MessageInsight
from contactpunt.insights.tests.helpers import receive_texts

pytestmark = pytest.mark.django_db

TEXTS = [
    "Mijn pakket is nog steeds niet bezorgd, dit is echt belachelijk slecht.",
    "Thank you so much, the new card arrived and it looks wonderful!",
]


def test_received_messages_are_analysed_after_commit_never_inside_the_transaction(
    email_queue, t0, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        contacts = receive_texts(email_queue, TEXTS, t0)
        assert MessageInsight.objects.count() == 0

    insights = {i.contact_id: i for i in MessageInsight.objects.all()}
    assert set(insights) == {c.pk for c in contacts}
    dutch, english = insights[contacts[0].pk], insights[contacts[1].pk]
    assert (dutch.language, dutch.sentiment) == ("nl", "negative")
    assert (english.language, english.sentiment) == ("en", "positive")
    assert dutch.sentiment_score < 0 < english.sentiment_score
    assert dutch.occurred_at == contacts[0].occurred_at
    # No reason model exists yet: no suggestion, and not "none of the known reasons" either.
    assert dutch.reason_model_version == "" and not dutch.is_outside_known_reasons
    assert dutch.sentiment_model_version == analysis.shipped_sentiment_model().manifest["version"]


def test_one_task_per_received_batch(email_queue, t0, django_capture_on_commit_callbacks, monkeypatch):
    enqueued: list[list[int]] = []

    def record(ids):
        enqueued.append(list(ids))
        return analysis.AnalysisResult(0, 0)

    monkeypatch.setattr(analysis, "analyse_contacts", record)
    with django_capture_on_commit_callbacks(execute=True):
        contacts = receive_texts(email_queue, TEXTS * 3, t0)
    assert enqueued == [[c.pk for c in contacts]]


def test_analysing_again_stores_nothing_twice(email_queue, t0):
    contacts = receive_texts(email_queue, TEXTS, t0)
    first = analysis.analyse_contacts([c.pk for c in contacts])
    again = analysis.analyse_contacts([c.pk for c in contacts])
    assert (first.analysed, first.skipped) == (2, 0)
    assert (again.analysed, again.skipped) == (0, 2)
    assert MessageInsight.objects.count() == 2


def test_messages_are_scored_in_batches_of_64(email_queue, t0, monkeypatch):
    contacts = receive_texts(email_queue, [f"Waar blijft bestelling {n}?" for n in range(130)], t0)
    sizes: list[int] = []
    from contactpunt.insights.pipeline import analyse_messages as real

    def spy(texts, **kwargs):
        sizes.append(len(texts))
        return real(texts, **kwargs)

    monkeypatch.setattr(analysis, "analyse_messages", spy)
    analysis.analyse_contacts([c.pk for c in contacts])
    assert sizes == [64, 64, 2]
    assert MessageInsight.objects.count() == 130


def test_internal_notes_and_empty_messages_are_not_analysed(email_queue, t0, agent):
    contact = receive_texts(email_queue, [TEXTS[0]], t0)[0]
    Message.objects.create(
        contact=contact, case=contact.case, direction="inbound", is_internal=True, text="note", created_at=t0
    )
    Message.objects.create(contact=contact, case=contact.case, direction="inbound", text="", created_at=t0)
    assert analysis.analyse_contacts([contact.pk]).analysed == 1


def test_backfill_analyses_existing_messages_once(email_queue, t0):
    receive_texts(email_queue, TEXTS, t0)
    out = StringIO()
    call_command("insights", "backfill", "--json", stdout=out)
    first = json.loads(out.getvalue())
    out = StringIO()
    call_command("insights", "backfill", "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert (first["analysed"], first["already_analysed"]) == (2, 0)
    assert (again["analysed"], again["already_analysed"]) == (0, 2)
    assert MessageInsight.objects.count() == 2


def test_the_history_is_analysed_newest_first_in_slices_that_lose_nothing(email_queue, t0, monkeypatch):
    contacts = receive_texts(email_queue, [f"Waar blijft bestelling {n}?" for n in range(10)], t0)
    monkeypatch.setattr(analysis, "BACKLOG_BATCH", 4)
    ticks = iter(range(100))  # each look at the clock is one second later
    told: list[tuple[int, int]] = []

    left = analysis.analyse_backlog(seconds=1, report=lambda *a: told.append(a), clock=lambda: next(ticks))
    # One slice: a batch, then the second has passed. The newest four are analysed, the rest is still there.
    assert (left.left, left.total) == (6, 10) and told == [(4, 10)]
    newest = {c.pk for c in sorted(contacts, key=lambda c: c.pk)[-4:]}
    assert set(MessageInsight.objects.values_list("contact_id", flat=True)) == newest

    left = analysis.analyse_backlog(seconds=60, report=lambda *a: told.append(a))
    assert (left.left, left.total) == (0, 10) and told[1:] == [(8, 10), (10, 10)]
    assert MessageInsight.objects.count() == 10
    assert analysis.analyse_backlog(seconds=60) == analysis.Backlog(0, 10)


def test_the_history_job_continues_itself_until_nothing_is_left(email_queue, t0, monkeypatch):
    from contactpunt.insights import tasks

    receive_texts(email_queue, [f"Mijn factuur {n} klopt niet" for n in range(5)], t0)
    monkeypatch.setattr(analysis, "BACKLOG_BATCH", 2)
    monkeypatch.setattr(tasks, "HISTORY_SLICE_SECONDS", 0.0)  # a batch per slice
    slices: list[int] = []
    real = analysis.analyse_backlog

    def counted(**kwargs):
        slices.append(1)
        return real(**kwargs)

    monkeypatch.setattr(analysis, "analyse_backlog", counted)
    tasks.enqueue_history_analysis()  # the test's immediate backend runs each slice as it is enqueued
    assert len(slices) == 3 and MessageInsight.objects.count() == 5
