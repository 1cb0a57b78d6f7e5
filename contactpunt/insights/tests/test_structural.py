"""Structural problems on simulated history: an injected outage and a new topic are flagged, a steady
stream is not.

The shop's history (35 days, no incidents) trains the reason model; then five more days are simulated,
with or without incidents, and detection runs once at their end (what the six-hourly task does).
Stated delays: the outage is flagged on its own day (the run at the end of that day sees it); the new
topic is found within 4 days of its first message (it runs from day 1 of the 5).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactpunt.contacts.models import ContactReason
from contactpunt.insights import lifecycle, structural
from contactpunt.insights.models import MessageInsight, NewTopic, ReasonSpike
from contactpunt.insights.weekly import weekly_report
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenario import Incident, ReasonSpec
from contactpunt.simulation.scenarios import GREETING_CARDS

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Europe/Amsterdam")
HISTORY_END = dt.datetime(2026, 3, 16, tzinfo=LOCAL)  # a Monday, local midnight; no holiday or peak near
RECENT_END = HISTORY_END + dt.timedelta(days=5)
SHOP = dataclasses.replace(
    GREETING_CARDS,
    reasons=(*GREETING_CARDS.reasons, ReasonSpec("abonnement-kaarten", "Kaartabonnement", 0, "subscription")),
    incidents=(),
)
OUTAGE = Incident("outage", "levering-vertraagd", -2, extra_per_hour=25, hours=6)
NEW_TOPIC = Incident("new_topic", "abonnement-kaarten", -4, extra_per_hour=6)
SCALE = 0.2


def history_then(incidents: tuple[Incident, ...]) -> None:
    simulate(SHOP, days=35, seed=11, scale=SCALE, end=HISTORY_END)
    assert lifecycle.retrain().activated
    simulate(dataclasses.replace(SHOP, incidents=incidents), days=5, seed=12, scale=SCALE, end=RECENT_END)


def test_an_outage_and_a_new_topic_are_flagged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        history_then((OUTAGE, NEW_TOPIC))
    result = structural.detect(now=RECENT_END)

    outage_day = (RECENT_END - dt.timedelta(days=2)).date()
    delayed = ContactReason.objects.get(code="levering-vertraagd")
    spikes = {(s.reason.code, s.day) for s in ReasonSpike.objects.select_related("reason")}
    assert ("levering-vertraagd", outage_day) in spikes
    spike = ReasonSpike.objects.get(reason=delayed, day=outage_day)
    assert spike.count > spike.upper_bound > spike.expected
    # Besides the outage, at most the new topic's own reason (wrapped up by the agents) spikes.
    assert {code for code, _day in spikes} <= {"levering-vertraagd", "abonnement-kaarten"}

    topics = list(NewTopic.objects.all())
    assert result.topics == len(topics) >= 1
    subscription = [t for t in topics if {"abonnement", "subscription", "plan", "pakket"} & set(t.top_words)]
    assert subscription, [t.top_words for t in topics]
    topic = subscription[0]
    assert topic.first_seen < RECENT_END - dt.timedelta(days=1)
    examples = MessageInsight.objects.filter(message_id__in=topic.example_message_ids)
    assert examples.count() == len(topic.example_message_ids) >= 3
    assert all(e.is_outside_known_reasons for e in examples)

    again = structural.detect(now=RECENT_END)
    assert (again.spikes, again.topics) == (result.spikes, result.topics)
    assert ReasonSpike.objects.count() == len(spikes) and NewTopic.objects.count() == len(topics)

    report = weekly_report(outage_day)
    assert any(s.reason_id == delayed.pk for s in report.spikes)
    assert report.topics
    assert any(p.reason == delayed.name for p in report.centre.growing)


def test_a_steady_stream_raises_no_flag(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        history_then(())
    result = structural.detect(now=RECENT_END)
    assert result.spikes == 0, list(ReasonSpike.objects.values_list("reason__code", "day", "count", "upper_bound"))
    assert result.topics == 0, list(NewTopic.objects.values_list("size", "top_words"))
