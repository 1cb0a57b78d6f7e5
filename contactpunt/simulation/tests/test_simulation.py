"""The simulator: deterministic, realistic in shape, and written through the services exactly as tallied."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import random
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contactpunt.contacts.models import AgentStateEvent, Case, Contact, ContactEvent, WorkSession
from contactpunt.ops.demo import DEMO_SCENARIO
from contactpunt.simulation import survey
from contactpunt.simulation.run import continue_live, simulate
from contactpunt.simulation.scenario import peak_factors
from contactpunt.simulation.scenarios import GREETING_CARDS, SCENARIOS
from contactpunt.simulation.texts import write_message

END = dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    first = simulate(GREETING_CARDS, days=2, seed=3, scale=0.3, end=END, write=False).tallies
    again = simulate(GREETING_CARDS, days=2, seed=3, scale=0.3, end=END, write=False).tallies
    other = simulate(GREETING_CARDS, days=2, seed=4, scale=0.3, end=END, write=False).tallies

    assert (first.contacts, first.handled, first.abandoned, first.transfers) == (
        again.contacts,
        again.handled,
        again.abandoned,
        again.transfers,
    )
    assert first.contacts != other.contacts


@pytest.mark.django_db
def test_the_history_in_the_database_is_what_the_simulator_tallied():
    result = simulate(GREETING_CARDS, days=3, seed=5, scale=0.25, end=END)
    t = result.tallies
    events = ContactEvent.objects

    assert t.contacts > 300
    assert Contact.objects.count() == t.contacts
    assert set(Contact.objects.values_list("channel", flat=True)) == {"phone", "email", "chat", "social", "whatsapp"}
    assert events.filter(name="queued").count() == t.contacts + t.transfers
    assert events.filter(name="abandoned").count() == t.abandoned
    assert events.filter(name="transferred").count() == t.transfers
    assert events.filter(name="answered").count() == sum(q.answered for q in t.by_queue.values())
    assert events.filter(name__in=["ended", "replied"]).count() == t.handled
    assert events.filter(name="resolved").count() == t.resolved_cases == Case.objects.filter(status="resolved").count()
    assert Contact.objects.filter(status="handled").count() == t.handled
    assert AgentStateEvent.objects.count() == t.agent_states
    assert events.count() == t.contacts + t.transfers + t.contact_events + t.resolved_cases
    for code, tally in t.by_queue.items():
        assert events.filter(name="queued", queue__code=code).count() == tally.offered
    assert not Contact.objects.filter(occurred_at__gt=END).exists()
    # As live work writes it: every answer was presented (rung) first, calls go on hold, and
    # written contacts carry the work session that ended with their reply.
    for answered in events.filter(name="answered"):
        presented = events.get(name="presented", contact_id=answered.contact_id, leg=answered.leg)
        assert presented.agent_id == answered.agent_id and presented.occurred_at < answered.occurred_at
    holds = events.filter(name="hold_ended").count()
    assert 0 < holds <= events.filter(name="hold_started").count()
    assert not events.filter(name__in=["hold_started", "hold_ended"]).exclude(contact__channel="phone").exists()
    sessions = WorkSession.objects.all()
    assert sessions.count() == t.work_sessions == events.filter(name="replied").count()
    assert sum((s.ended_at - s.started_at).total_seconds() for s in sessions) == pytest.approx(t.work_session_s)
    assert not sessions.exclude(contact__channel__in=["email", "social", "whatsapp"]).exists()


def test_a_chat_agent_handles_several_chats_at_once_up_to_the_scenarios_limit():
    run = simulate(GREETING_CARDS, days=1, seed=2, scale=3, end=END, write=False)
    engine = run.engine
    chat = {i for i, q in enumerate(engine.queues) if q.channel == "chat"}
    open_chats: dict[int, set[int]] = {}
    most = 0
    for entry in engine.log:
        contact = entry.contact
        if entry.kind != "event" or contact is None or contact.queue not in chat or entry.agent is None:
            continue
        if entry.name == "answered":
            open_chats.setdefault(entry.agent, set()).add(contact.n)
        elif entry.name in ("wrapped", "transferred"):
            open_chats.get(entry.agent, set()).discard(contact.n)
        most = max(most, len(open_chats.get(entry.agent, set())))

    assert GREETING_CARDS.chat_concurrency == 3
    assert most == 3  # busy enough that some agent reached the limit, and none went past it


def test_every_scenario_runs_with_its_own_character():
    for scenario in SCENARIOS.values():
        t = simulate(scenario, days=2, seed=1, scale=0.2, end=END, write=False).tallies
        assert t.contacts > 50, scenario.name
        assert t.handled > 0.7 * t.contacts, scenario.name
    b2b = simulate(SCENARIOS["b2b-supplier"], days=3, seed=1, scale=0.5, end=END, write=False)
    with_account = sum(1 for c in b2b.engine.customers if c.account)
    assert 0.7 < with_account / len(b2b.engine.customers) < 0.9


def test_valentines_day_is_the_greeting_card_shops_peak():
    days = [dt.date(2026, 2, d) for d in range(1, 20)]
    factors = peak_factors(GREETING_CARDS, days)

    assert factors[dt.date(2026, 2, 14)] == pytest.approx(3.5)
    assert 1 < factors[dt.date(2026, 2, 10)] < 3.5
    assert dt.date(2026, 2, 16) not in factors


def test_a_run_from_a_start_date_shows_the_valentines_peak():
    out = io.StringIO()
    call_command(
        "simulate", "--scenario", "greeting-cards", "--start", "2026-01-15", "--days", "60",
        "--scale", "0.2", "--dry-run", "--json", stdout=out,
    )  # fmt: skip
    summary = json.loads(out.getvalue())
    by_day = {dt.date.fromisoformat(day): count for day, count in summary["contacts_by_day"].items()}

    assert min(by_day) == dt.date(2026, 1, 15) and max(by_day) == dt.date(2026, 3, 15)
    valentine_week = sum(by_day[dt.date(2026, 2, d)] for d in range(9, 15))  # Monday 9 to Saturday 14
    ordinary_week = sum(by_day[dt.date(2026, 1, d)] for d in range(19, 25))  # the same weekdays in January
    assert valentine_week > 1.5 * ordinary_week
    assert max(by_day, key=by_day.__getitem__) in {dt.date(2026, 2, d) for d in range(9, 15)}


def test_a_start_that_ends_in_the_future_is_refused():
    with pytest.raises(CommandError, match="future"):
        call_command("simulate", "--scenario", "greeting-cards", "--start", "2099-01-01", "--days", "5", "--dry-run")


def test_messages_vary_in_wording_tone_and_language():
    rng = random.Random(1)
    texts = [
        write_message(
            rng, topic="delivery_late", topic_name="Levering", language=lang, name="Anna Bos", channel="email"
        )
        for lang in ("nl", "en")
        for _ in range(50)
    ]
    assert len({t.text for t in texts}) >= 95
    assert {t.tone for t in texts} == {"positive", "neutral", "negative"}
    assert any("bezorg" in t.text for t in texts[:50]) and any("courier" in t.text for t in texts[50:])


def test_dutch_customers_write_dutch_subjects_and_a_first_message_is_no_reply():
    rng = random.Random(2)
    subjects = [
        write_message(
            rng, topic="delivery_late", topic_name="Levering", language="nl", name="Anna Bos", channel="email"
        ).subject
        for _ in range(200)
    ]
    assert not [s for s in subjects if s.lower().startswith("re:")]
    assert not [s for s in subjects if any(word in s.lower().split() for word in ("question", "about", "help"))]
    assert "Vraag over levering" in subjects
    assert DEMO_SCENARIO.english_share <= 0.05  # the demo is a Dutch team's: a few customers write in English


def test_the_survey_model_rewards_solving_and_punishes_waiting_and_transfers():
    good = survey.expected_score(wait_s=0, solved=True, transferred=False, friendliness=0.9, expertise=0.9)
    slow = survey.expected_score(wait_s=600, solved=True, transferred=False, friendliness=0.9, expertise=0.9)
    unsolved = survey.expected_score(wait_s=0, solved=False, transferred=False, friendliness=0.9, expertise=0.9)
    moved = survey.expected_score(wait_s=0, solved=True, transferred=True, friendliness=0.9, expertise=0.9)

    assert good == pytest.approx(6.4 + 1.6 + 2.2 * 0.4 + 1.2 * 0.4)
    assert good - slow == pytest.approx(1.2)
    assert good - unsolved == pytest.approx(1.6)
    assert good - moved == pytest.approx(0.9)
    assert survey.expected_score(
        wait_s=10_000, solved=False, transferred=True, friendliness=0, expertise=0
    ) == pytest.approx(6.4 - 2.5 - 0.9 - 1.1 - 0.6)
    assert survey.nps([10, 9, 8, 7, 6, 0]) == pytest.approx(100 * (2 - 2) / 6)
    rng = random.Random(2)
    answers = [
        survey.answer(rng, wait_s=0, solved=True, transferred=False, friendliness=0.9, expertise=0.9)
        for _ in range(4000)
    ]
    assert all(0 <= a.nps <= 10 for a in answers)

    # the exact mean of a normal(good, 1.3) draw rounded and clipped to 0..10; standard error < 0.02, so 0.1 is 5 SE
    def below(x: float) -> float:
        return 0.5 * (1 + math.erf((x - good) / (survey.NOISE_SD * math.sqrt(2))))

    exact = sum(k * ((1.0 if k == 10 else below(k + 0.5)) - (0.0 if k == 0 else below(k - 0.5))) for k in range(11))
    assert sum(a.nps for a in answers) / len(answers) == pytest.approx(exact, abs=0.1)


def test_the_live_mode_catches_up_with_the_clock_after_a_slow_start():
    history_end = timezone.now() - dt.timedelta(hours=1)  # the history took an hour to write, say
    result = simulate(GREETING_CARDS, days=0.5, seed=1, scale=0.05, end=history_end, write=False)
    stop = threading.Event()
    thread = continue_live(result, stop, every_s=0.01)
    behind = (timezone.now() - result.engine.start).total_seconds()
    deadline = time.monotonic() + 10
    while result.engine.env.now < behind and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join()

    assert result.engine.env.now >= behind  # the missing hour is simulated at once, not an hour late
