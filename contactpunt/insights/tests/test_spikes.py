"""The spike rule on hand-made volumes: same-weekday median, robust spread, minimum count and ratio."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from contactpunt.contacts.models import ContactReason
from contactpunt.insights import spikes
from contactpunt.insights.models import ReasonSpike
from contactpunt.insights.tests.helpers import receive_texts, wrap

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)
LOCAL = ZoneInfo("Europe/Amsterdam")


def volume(queue, agent, reason, day: dt.date, count: int) -> None:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=LOCAL)
    for contact in receive_texts(queue, [f"Vraag {n}" for n in range(count)], at):
        wrap(contact, agent, reason)


@pytest.fixture
def reason() -> ContactReason:
    return ContactReason.objects.create(code="levering", name="Levering")


@pytest.mark.parametrize(("today", "flagged"), [(20, True), (12, False), (9, False)])
def test_a_day_is_a_spike_above_the_bound_with_enough_contacts(email_queue, agent, reason, today, flagged):
    for weeks_back, count in ((3, 5), (2, 6), (1, 5)):
        volume(email_queue, agent, reason, MONDAY - dt.timedelta(weeks=weeks_back), count)
    volume(email_queue, agent, reason, MONDAY, today)
    (judged,) = [j for j in spikes.judge_days(MONDAY, MONDAY) if j.reason_id == reason.pk]
    # Median 5, MAD 0: the spread is the Poisson floor sqrt(5), so the bound is 5 + 3.5 x 2.236.
    assert judged.expected == 5
    assert judged.upper_bound == pytest.approx(5 + 3.5 * 5**0.5)
    assert judged.is_spike is flagged
    stored = spikes.flag_spikes(MONDAY, MONDAY)
    assert [(s.reason_id, s.day, s.count) for s in stored] == ([(reason.pk, MONDAY, today)] if flagged else [])


def test_other_weekdays_are_not_the_baseline_and_short_histories_are_not_judged(email_queue, agent, reason):
    volume(email_queue, agent, reason, MONDAY - dt.timedelta(days=1), 30)  # a busy Sunday
    volume(email_queue, agent, reason, MONDAY - dt.timedelta(weeks=1), 5)
    volume(email_queue, agent, reason, MONDAY, 20)
    assert spikes.judge_days(MONDAY, MONDAY) == []  # fewer than 3 earlier Mondays since the data starts


def test_a_spike_that_no_longer_holds_is_removed(email_queue, agent, reason):
    for weeks_back in (3, 2, 1):
        volume(email_queue, agent, reason, MONDAY - dt.timedelta(weeks=weeks_back), 5)
    ReasonSpike.objects.create(reason=reason, day=MONDAY, count=30, expected=5, upper_bound=12)
    volume(email_queue, agent, reason, MONDAY, 6)
    assert spikes.flag_spikes(MONDAY, MONDAY) == []
    assert not ReasonSpike.objects.exists()


def test_the_detect_command_stores_and_reports_the_spikes(email_queue, agent, reason, monkeypatch):
    monkeypatch.setattr(
        "contactpunt.insights.structural.timezone.now", lambda: dt.datetime.combine(MONDAY, dt.time(20), tzinfo=LOCAL)
    )
    for weeks_back in (3, 2, 1):
        volume(email_queue, agent, reason, MONDAY - dt.timedelta(weeks=weeks_back), 5)
    volume(email_queue, agent, reason, MONDAY, 20)
    out = StringIO()
    call_command("insights", "detect", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"spikes": 1, "topics": 0}
    assert ReasonSpike.objects.get().count == 20


def test_the_database_counts_each_contact_under_the_reason_the_rows_give_it(email_queue, agent, reason):
    from collections import Counter

    from contactpunt.insights.models import MessageInsight

    other = ContactReason.objects.create(code="retour", name="Retour")
    at = dt.datetime.combine(MONDAY, dt.time(10), tzinfo=LOCAL)
    chosen, suggested, neither, earlier = (receive_texts(email_queue, [f"Vraag {n}"], at)[0] for n in range(4))
    wrap(chosen, agent, reason)
    earlier.occurred_at = at - dt.timedelta(days=1)
    earlier.save(update_fields=["occurred_at"])
    for contact, suggestion in ((chosen, other), (suggested, other), (neither, None), (earlier, reason)):
        MessageInsight.objects.create(
            message=contact.messages.get(), contact=contact, occurred_at=contact.occurred_at, language="nl",
            sentiment="neutral", sentiment_score=0.0, suggested_reason=suggestion, sentiment_model_version="t",
        )  # fmt: skip
    start, end = at - dt.timedelta(hours=1), at + dt.timedelta(hours=1)
    in_python = Counter(r for _pk, r in spikes.reasons_of_contacts(start, end) if r is not None)
    assert spikes.reason_counts(start, end) == in_python == Counter({reason.pk: 1, other.pk: 1})
