"""Structural problems on simulated history: an injected outage and a new topic are flagged, a steady
stream is not.

One simulated history serves both checks (simulating is the slow part):

- Steady stream: the shop's first 28 days have no incidents. The reason model is trained on them, their
  messages are analysed with it, and detection at the end of day 28 must raise no flag: no spike on
  any reason on any of those 7 days (all reasons x 7 days judged against their baselines) and no new
  topic.
- Incidents: 5 more days follow, with a new topic from day 1 and an outage on day 3 on an existing
  reason. Detection at their end must flag the outage on its own day (the run at the end of that day
  sees it: flagged within 1 day) and find the new topic within 4 days of its first message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactpunt.contacts.models import ContactReason
from contactpunt.insights import analysis, lifecycle, spikes, structural
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
SCALE = 0.1


def test_a_steady_stream_raises_no_flag_then_an_outage_and_a_new_topic_are_flagged(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        simulate(SHOP, days=28, seed=11, scale=SCALE, end=HISTORY_END)
    assert lifecycle.retrain().activated
    # As if the model had been active all along: every message analysed with it (what backfill does).
    contact_ids = list(MessageInsight.objects.values_list("contact_id", flat=True))
    MessageInsight.objects.all().delete()
    analysis.analyse_contacts(contact_ids)

    steady = structural.detect(now=HISTORY_END)
    judged = spikes.judge_days((HISTORY_END - dt.timedelta(days=7)).date(), (HISTORY_END - dt.timedelta(days=1)).date())
    assert len({j.reason_id for j in judged}) >= 10 and len(judged) >= 70
    closest = max(judged, key=lambda j: j.count / max(j.upper_bound, 1))
    assert steady.spikes == 0, (
        list(ReasonSpike.objects.values_list("reason__code", "day", "count", "upper_bound")),
        closest,
    )
    assert steady.topics == 0, list(NewTopic.objects.values_list("size", "top_words"))

    with django_capture_on_commit_callbacks(execute=True):
        simulate(dataclasses.replace(SHOP, incidents=(OUTAGE, NEW_TOPIC)), days=5, seed=12, scale=SCALE, end=RECENT_END)
    result = structural.detect(now=RECENT_END)

    outage_day = (RECENT_END - dt.timedelta(days=2)).date()
    delayed = ContactReason.objects.get(code="levering-vertraagd")
    found = {(s.reason.code, s.day) for s in ReasonSpike.objects.select_related("reason")}
    assert ("levering-vertraagd", outage_day) in found
    spike = ReasonSpike.objects.get(reason=delayed, day=outage_day)
    assert spike.count > spike.upper_bound > spike.expected
    # Besides the outage, at most the new topic's own reason (wrapped up by the agents) spikes.
    assert {code for code, _day in found} <= {"levering-vertraagd", "abonnement-kaarten"}

    topics = list(NewTopic.objects.all())
    assert result.topics == len(topics) >= 1
    subscription = [t for t in topics if {"abonnement", "subscription", "plan", "pakket"} & set(t.top_words)]
    assert subscription, [t.top_words for t in topics]
    topic = subscription[0]
    assert topic.first_seen < RECENT_END - dt.timedelta(days=1)
    examples = MessageInsight.objects.filter(message_id__in=topic.example_message_ids)
    assert examples.count() == len(topic.example_message_ids) >= 3
    assert all(e.reason_is_unsure for e in examples)

    again = structural.detect(now=RECENT_END)
    assert (again.spikes, again.topics) == (result.spikes, result.topics)
    assert ReasonSpike.objects.count() == len(found) and NewTopic.objects.count() == len(topics)

    report = weekly_report(outage_day)
    assert any(s.reason_id == delayed.pk for s in report.spikes)
    assert report.topics
    assert any(p.reason == delayed.name for p in report.centre.growing)
