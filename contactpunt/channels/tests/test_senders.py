"""The one drain loop: every channel's queued replies through its registered sender, with claim, retry, backoff
and permanent failure, and the `replied` event written when the reply is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from contactpunt.channels import senders
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.senders import MAX_ATTEMPTS, SendError, send_due, stale_claim
from contactpunt.contacts.models import Case, Channel, ContactEvent, EventName, Queue
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.workspace_data import social_post
from contactpunt.kpis.written import backlog
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.fail_with: SendError | Exception | None = None

    def __call__(self, row: OutboundMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(row.body)


@pytest.fixture
def social(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    monkeypatch.setitem(senders._SENDERS, Channel.SOCIAL, recorder)
    yield recorder


@pytest.fixture
def social_queue(department) -> Queue:
    return Queue.objects.create(code="social", name="Webcare", channel=Channel.SOCIAL, department=department)


def _replied(case: Case) -> list[ContactEvent]:
    return list(ContactEvent.objects.filter(case=case, name=EventName.REPLIED))


def test_a_reply_is_sent_once_and_replied_is_written_at_the_send_time(social, social_queue, agent: User) -> None:
    arrived = timezone.now() - dt.timedelta(hours=2)
    case = social_post(social_queue, arrived, "p1")
    queued_at = timezone.now() - dt.timedelta(minutes=30)
    done = reply(case=case, by=agent, body="We kijken ernaar.", at=queued_at)
    # Queued is no response yet: the post is still in the written backlog.
    assert _replied(case) == []
    assert backlog(at=timezone.now()).count == 1

    assert (send_due().sent, send_due().sent) == (1, 0)  # claimed and sent once
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert (social.sent, row.state, row.attempts) == (["We kijken ernaar."], OutboundState.SENT, 1)
    [event] = _replied(case)
    assert event.occurred_at == row.sent_at and event.occurred_at > queued_at
    assert (event.agent_id, event.data) == (agent.pk, {"reply_contact": done.contact.pk})
    case.refresh_from_db()
    assert case.first_response_at == row.sent_at
    assert backlog(at=timezone.now()).count == 0


def test_a_channel_without_a_sender_waits(social_queue, agent: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(senders._SENDERS, Channel.SOCIAL, raising=False)
    case = social_post(social_queue, timezone.now(), "p1")
    done = reply(case=case, by=agent, body="Hallo")
    assert send_due() == senders.SendResult(0, 0)
    assert OutboundMessage.objects.get(message_id=done.outbox_ref).state == OutboundState.QUEUED


def test_a_retryable_failure_backs_off_and_a_permanent_one_stops(social, social_queue, agent: User) -> None:
    case = social_post(social_queue, timezone.now(), "p1")
    done = reply(case=case, by=agent, body="Hallo")
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    now = timezone.now()
    social.fail_with = SendError("timed out")
    assert send_due(now=now).failed == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error, row.next_attempt_at) == (
        OutboundState.QUEUED, 1, "timed out", now + dt.timedelta(minutes=2),
    )  # fmt: skip
    assert send_due(now=now).failed == 0  # not due yet
    social.fail_with = SendError("the account was removed", permanent=True)
    assert send_due(now=now + dt.timedelta(minutes=2)).failed == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == (OutboundState.FAILED, 2, "the account was removed")
    assert _replied(case) == []


def test_a_crashing_sender_is_retried_and_gives_up_after_max_attempts(social, social_queue, agent: User) -> None:
    case = social_post(social_queue, timezone.now(), "p1")
    done = reply(case=case, by=agent, body="Hallo")
    social.fail_with = RuntimeError("bug")
    when = timezone.now()
    for _attempt in range(MAX_ATTEMPTS):
        assert send_due(now=when).failed == 1
        when += dt.timedelta(minutes=2**MAX_ATTEMPTS)
    row = OutboundMessage.objects.get(message_id=done.outbox_ref)
    assert (row.state, row.attempts, row.error) == (OutboundState.FAILED, MAX_ATTEMPTS, "RuntimeError: bug")
    assert send_due(now=when).failed == 0


def test_a_stale_claim_is_taken_up_again_and_a_fresh_one_is_not(social, social_queue, agent: User) -> None:
    case = social_post(social_queue, timezone.now(), "p1")
    done = reply(case=case, by=agent, body="Hallo")
    now = timezone.now()
    OutboundMessage.objects.filter(message_id=done.outbox_ref).update(state=OutboundState.SENDING, claimed_at=now)
    assert send_due(now=now + stale_claim() - dt.timedelta(seconds=1)).sent == 0  # another worker is on it
    assert send_due(now=now + stale_claim() + dt.timedelta(seconds=1)).sent == 1
    assert social.sent == ["Hallo"]


def test_a_row_without_an_agent_reply_writes_no_replied_event(social, social_queue) -> None:
    case = social_post(social_queue, timezone.now(), "p1")
    OutboundMessage.objects.create(
        case=case, channel=Channel.SOCIAL, to="@sanne", body="Automatisch: we hebben je bericht.", message_id="auto-1"
    )
    assert send_due().sent == 1
    assert _replied(case) == []
