# mypy: disable-error-code="no-untyped-call"
# (asgiref's ApplicationCommunicator has no annotations)
"""The web chat websocket against the real database: a visitor's messages become one case, resends are not doubled,
agent replies arrive live, no agent turns the chat into a written contact, and bad frames get a clear error.

channels.testing's WebsocketCommunicator needs daphne, which is not installed; asgiref's ApplicationCommunicator
(which it wraps) drives the same consumer through the real URL router.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.channels.senders import SendError
from contactpunt.channels.webchat.consumers import FORBIDDEN_ORIGIN, MAX_FRAME
from contactpunt.channels.webchat.delivery import send_chat
from contactpunt.channels.webchat.models import ChatConversation, ChatMessageKey
from contactpunt.config.asgi import application
from contactpunt.conftest import make_user
from contactpunt.contacts.models import (
    AgentState,
    BusinessCalendar,
    Case,
    Channel,
    Contact,
    ContactEvent,
    ContactStatus,
    Direction,
    EventName,
    FallbackReason,
    Message,
    OpeningHours,
    Queue,
)
from contactpunt.contacts.services.assignment import set_agent_state, take_next
from contactpunt.contacts.services.cases import merge_cases
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.customers.models import Identity
from contactpunt.people.models import Department, Role, Skill, Team, User

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "http://localhost:8000"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def chat_queue(department: Department) -> Queue:
    queue = Queue.objects.create(code="chat-general", name="Chat", channel=Channel.CHAT, department=department)
    queue.skills.add(Skill.objects.create(code="chat", name="Chat"))
    return queue


@pytest.fixture
def webform_queue(department: Department) -> Queue:
    return Queue.objects.create(
        code="webform-general", name="Webformulier", channel=Channel.WEBFORM, department=department
    )


def chat_agent(team: Team, *, available: bool = True) -> User:
    """An agent with the chat skill, available when asked."""
    agent = make_user("anna", Role.AGENT, team)
    agent.skills.add(Skill.objects.get(code="chat"))
    if available:
        set_agent_state(agent=agent, state=AgentState.AVAILABLE)
    return agent


#: Every frame is answered; the first contact of a run waits for the insights analysis (the immediate task
#: backend runs it in the consumer, loading the language model once).
ANSWER_TIMEOUT_S = 60


class Socket:
    """A visitor's widget connection through the product's real ASGI application (a customer's site is not one of
    our ALLOWED_HOSTS: only the chat's own origin check applies)."""

    def __init__(self, queue: str = "chat-general", *, origin: str = SITE, address: str = "192.0.2.1") -> None:
        scope = {
            "type": "websocket",
            "path": f"/ws/chat/{queue}/",
            "headers": [(b"origin", origin.encode()), (b"host", b"localhost:8000")],
            "subprotocols": [],
            "client": (address, 50000),
        }
        self.app = ApplicationCommunicator(application, scope)

    async def connect(self) -> dict[str, Any]:
        await self.app.send_input({"type": "websocket.connect"})
        return dict(await self.app.receive_output(ANSWER_TIMEOUT_S))

    async def send_text(self, text: str) -> dict[str, Any]:
        await self.app.send_input({"type": "websocket.receive", "text": text})
        return await self.receive()

    async def send(self, **payload: Any) -> dict[str, Any]:
        return await self.send_text(json.dumps(payload))

    async def receive(self) -> dict[str, Any]:
        output = await self.app.receive_output(ANSWER_TIMEOUT_S)
        if output["type"] == "websocket.close":
            return dict(output)
        assert output["type"] == "websocket.send", output
        return dict(json.loads(output["text"]))

    async def close(self) -> None:
        await self.app.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.app.wait(1)


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(scenario())


def test_a_conversation_is_one_case_every_message_kept_and_a_resend_is_not_doubled(team, chat_queue):
    chat_agent(team)

    async def scenario() -> tuple[dict[str, Any], ...]:
        socket = Socket()
        assert (await socket.connect())["type"] == "websocket.accept"
        welcome = await socket.send(type="hello", token=None, lang="nl")
        first = await socket.send(type="message", id="m-1", text="Waar blijft mijn bestelling?")
        again = await socket.send(type="message", id="m-1", text="Waar blijft mijn bestelling?")
        second = await socket.send(type="message", id="m-2", text="Ordernummer 1234")
        await socket.close()
        later = Socket()
        await later.connect()
        resumed = await later.send(type="hello", token=first["token"], lang="nl")
        await later.close()
        return welcome, first, again, second, resumed

    welcome, first, again, second, resumed = run(scenario)
    assert welcome == {"type": "welcome", "token": None, "staffed": True, "open": True, "history": []}
    assert (first["type"], first["id"], again["type"], again["id"]) == ("ack", "m-1", "ack", "m-1")
    assert again["message"]["id"] == first["message"]["id"]
    assert second["token"] == first["token"]
    case = Case.objects.get()
    contact = Contact.objects.get()
    # the first message is the conversation, not also the case's title
    assert (case.channel, case.queue, case.subject) == (Channel.CHAT, chat_queue, "")
    assert case.title == "Chat met een onbekende klant"
    assert (contact.channel, contact.status, contact.source) == (Channel.CHAT, ContactStatus.QUEUED, "webchat")
    assert list(Message.objects.values_list("contact_id", "text")) == [
        (contact.pk, "Waar blijft mijn bestelling?"),
        (contact.pk, "Ordernummer 1234"),
    ]
    assert ContactEvent.objects.filter(name=EventName.QUEUED).count() == 1
    assert [(line["from"], line["text"]) for line in resumed["history"]] == [
        ("visitor", "Waar blijft mijn bestelling?"),
        ("visitor", "Ordernummer 1234"),
    ]
    assert resumed["token"] == first["token"]


def test_an_agent_reply_reaches_the_visitor_live_and_the_next_message_is_a_new_contact(team, chat_queue):
    agent = chat_agent(team)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        socket = Socket()
        await socket.connect()
        await socket.send(type="hello")
        await socket.send(type="message", id="m-1", text="Hallo, kan ik mijn adres wijzigen?")
        case = await sync_to_async(take_next)(agent=agent)
        assert case is not None
        await sync_to_async(reply)(case=case, by=agent, body="Ja hoor, welk adres wordt het?")
        pushed = await socket.receive()
        following = await socket.send(type="message", id="m-2", text="Dorpsstraat 1")
        await socket.close()
        later = Socket()
        await later.connect()
        resumed = await later.send(type="hello", token=following["token"])
        await later.close()
        return pushed, following, resumed

    pushed, following, resumed = run(scenario)
    assert pushed["type"] == "reply"
    assert (pushed["message"]["from"], pushed["message"]["text"], pushed["message"]["name"]) == (
        "agent",
        "Ja hoor, welk adres wordt het?",
        "",
    )
    assert following["type"] == "ack"
    outbound = OutboundMessage.objects.get()
    assert (outbound.channel, outbound.state) == (Channel.CHAT, OutboundState.SENT)
    first, reply_contact, second = Contact.objects.order_by("id")
    assert (first.status, reply_contact.direction, second.status) == (
        ContactStatus.HANDLED,
        Direction.OUTBOUND,
        ContactStatus.QUEUED,
    )
    assert ContactEvent.objects.filter(name=EventName.REPLIED, contact=first).count() == 1
    assert {c.case_id for c in (first, reply_contact, second)} == {Case.objects.get().pk}
    assert [(line["from"], line["text"]) for line in resumed["history"]] == [
        ("visitor", "Hallo, kan ik mijn adres wijzigen?"),
        ("agent", "Ja hoor, welk adres wordt het?"),
        ("visitor", "Dorpsstraat 1"),
    ]


def test_a_conversation_follows_its_case_into_a_merge(team, chat_queue, email_queue):
    agent = chat_agent(team)
    agent.role = Role.TEAM_LEAD
    agent.save()
    earlier = mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")
    reply(case=earlier, by=agent, body="Uw mail is beantwoord.")  # so the chat is what waits after the merge

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        socket = Socket()
        await socket.connect()
        await socket.send(type="hello")
        first = await socket.send(type="message", id="m-1", text="Over mijn mail van net")
        chat_case = await sync_to_async(Case.objects.get)(channel=Channel.CHAT)
        await sync_to_async(merge_cases)(source=chat_case, target=earlier, by=agent)
        second = await socket.send(type="message", id="m-2", text="Nog een vraag")
        await sync_to_async(reply)(case=earlier, by=agent, body="Beide vragen beantwoord.")
        pushed = await socket.receive()
        await socket.close()
        later = Socket()
        await later.connect()
        resumed = await later.send(type="hello", token=first["token"])
        await later.close()
        return second, pushed, resumed

    second, pushed, resumed = run(scenario)
    assert second["type"] == "ack"
    assert (pushed["type"], pushed["message"]["text"]) == ("reply", "Beide vragen beantwoord.")
    assert [line["text"] for line in resumed["history"]] == [
        "Over mijn mail van net",
        "Nog een vraag",
        "Beide vragen beantwoord.",
    ]
    assert set(Message.objects.values_list("case_id", flat=True)) == {earlier.pk}
    assert OutboundMessage.objects.get(channel=Channel.CHAT).state == OutboundState.SENT


def test_without_an_available_agent_the_chat_becomes_a_written_contact(team, chat_queue, webform_queue):
    chat_agent(team, available=False)

    async def scenario() -> tuple[dict[str, Any], ...]:
        socket = Socket()
        await socket.connect()
        welcome = await socket.send(type="hello", lang="nl")
        refused = await socket.send(type="message", id="m-1", text="Is er iemand?")
        invalid = await socket.send(type="written", id="w-1", name="", email="geen-adres", text="Is er iemand?")
        taken = await socket.send(
            type="written", id="w-1", name="Sanne", email="Sanne@Example.nl", text="Is er iemand?"
        )
        again = await socket.send(
            type="written", id="w-1", name="Sanne", email="Sanne@Example.nl", text="Is er iemand?"
        )
        await socket.close()
        return welcome, refused, invalid, taken, again

    welcome, refused, invalid, taken, again = run(scenario)
    assert welcome["staffed"] is False and welcome["open"] is True  # open, but nobody to answer
    assert refused == {"type": "unstaffed", "id": "m-1", "open": True}
    assert (invalid["code"], invalid["fields"]) == ("invalid", {"name": "empty", "email": "invalid"})
    case = Case.objects.get()
    assert taken == {"type": "written_ack", "id": "w-1", "case": f"CP-{case.pk}"}
    assert again == taken
    contact = Contact.objects.get()
    assert (contact.channel, contact.queue, contact.sender) == (Channel.WEBFORM, webform_queue, "Sanne@Example.nl")
    assert Identity.objects.get().value == "sanne@example.nl"
    assert Message.objects.get().text == "Is er iemand?"
    assert not ChatConversation.objects.exists()
    assert case.title == "Bericht achtergelaten in de chat"  # not "Webformulier van Sanne": where it was left


def test_a_message_left_without_chatting_keeps_the_widgets_visitor_with_its_case(team, chat_queue, webform_queue):
    chat_agent(team, available=False)
    visitor = "0123456789abcdef0123456789abcdef"

    async def scenario() -> tuple[dict[str, Any], ...]:
        socket = Socket()
        await socket.connect()
        await socket.send(type="hello", lang="nl", visitor=visitor)
        taken = await socket.send(type="written", id="w-1", name="Sanne", email="sanne@example.nl", text="Hallo?")
        again = await socket.send(type="written", id="w-1", name="Sanne", email="sanne@example.nl", text="Hallo?")
        await socket.close()
        return taken, again

    taken, again = run(scenario)
    case = Case.objects.get()
    assert taken == again == {"type": "written_ack", "id": "w-1", "case": f"CP-{case.pk}"}
    conversation = ChatConversation.objects.get()  # one, though the message came twice
    assert (conversation.visitor, conversation.case_id, conversation.queue) == (visitor, case.pk, chat_queue)
    assert Contact.objects.get().channel == Channel.WEBFORM


def test_outside_business_hours_no_one_chats_even_with_an_agent_available(team, chat_queue):
    calendar = BusinessCalendar.objects.create(name="Nooit open", time_zone="Europe/Amsterdam")
    now = timezone.now().astimezone(dt.UTC)
    # Open one hour on a weekday that is not today.
    OpeningHours.objects.create(
        calendar=calendar, weekday=(now.weekday() + 3) % 7, opens=dt.time(9), closes=dt.time(10)
    )
    chat_queue.calendar = calendar
    chat_queue.save()
    chat_agent(team)

    async def scenario() -> dict[str, Any]:
        socket = Socket()
        await socket.connect()
        welcome = await socket.send(type="hello")
        await socket.close()
        return welcome

    welcome = run(scenario)
    # The widget tells the visitor the chat is closed, not that nobody is available.
    assert (welcome["staffed"], welcome["open"]) == (False, False)


def test_a_written_message_joins_the_chat_case_when_the_agents_leave(team, chat_queue, webform_queue):
    agent = chat_agent(team)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = Socket()
        await socket.connect()
        await socket.send(type="hello")
        await socket.send(type="message", id="m-1", text="Eerste vraag")
        await sync_to_async(set_agent_state)(agent=agent, state=AgentState.OFFLINE)
        refused = await socket.send(type="message", id="m-2", text="Tweede vraag")
        taken = await socket.send(type="written", id="w-1", name="Sanne", email="sanne@example.nl", text="Tweede vraag")
        await socket.close()
        return refused, taken

    refused, taken = run(scenario)
    assert refused["type"] == "unstaffed"
    case = Case.objects.get()
    assert taken["case"] == f"CP-{case.pk}"
    assert sorted(Contact.objects.values_list("channel", flat=True)) == [Channel.CHAT, Channel.WEBFORM]
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == ["Eerste vraag", "Tweede vraag"]


@override_settings(WEBCHAT_RATE_PER_CONNECTION=(3, 60))
def test_messages_over_the_rate_are_refused_with_their_id_and_not_stored(team, chat_queue):
    chat_agent(team)

    async def scenario() -> list[dict[str, Any]]:
        socket = Socket()
        await socket.connect()
        answers = [await socket.send(type="hello")]
        for number in range(1, 5):
            answers.append(await socket.send(type="message", id=f"m-{number}", text=f"Bericht {number}"))
        await socket.close()
        return answers

    answers = run(scenario)
    assert [a["type"] for a in answers] == ["welcome", "ack", "ack", "error", "error"]
    assert (answers[3]["code"], answers[3]["id"]) == ("rate_limited", "m-3")
    assert 0 < answers[3]["retry_after"] <= 60
    assert list(Message.objects.values_list("text", flat=True)) == ["Bericht 1", "Bericht 2"]


@override_settings(WEBCHAT_RATE_PER_IP=(4, 60))
def test_the_rate_per_address_counts_every_connection_of_that_address(team, chat_queue):
    chat_agent(team)

    async def scenario() -> list[str]:
        codes = []
        for number in range(3):
            socket = Socket(address="198.51.100.7")
            await socket.connect()
            for frame in (
                {"type": "hello"},
                {"type": "message", "id": f"m-{number}", "text": f"Bericht {number}"},
            ):
                answer = await socket.send(**frame)
                codes.append(answer.get("code") or answer["type"])
            await socket.close()
        other = Socket(address="198.51.100.8")
        await other.connect()
        codes.append((await other.send(type="hello"))["type"])
        await other.close()
        return codes

    assert run(scenario) == ["welcome", "ack", "welcome", "ack", "rate_limited", "rate_limited", "welcome"]


@override_settings(WEBCHAT_RATE_PER_CONNECTION=(50, 10))
def test_forged_and_oversized_frames_get_a_clear_error_and_genuine_messages_still_arrive(team, chat_queue):
    chat_agent(team)

    async def scenario() -> list[dict[str, Any]]:
        socket = Socket()
        await socket.connect()
        answers = [
            await socket.send_text("not json"),
            await socket.send_text("[1, 2]"),
            await socket.send(type="subscribe", group="webchat.1"),
            await socket.send(type="message", text="zonder id"),
            await socket.send(type="message", id="../../etc", text="rare id"),
            await socket.send(type="message", id="m-big", text="x" * 2_001),
            await socket.send_text(json.dumps({"type": "message", "id": "m-huge", "text": "y" * MAX_FRAME})),
            await socket.send(type="message", id="m-empty", text=" \x00\x07 "),
            await socket.send(type="message", id="m-num", text=12),
            await socket.send(type="hello", token="forged-token-that-does-not-exist"),
            await socket.send(
                type="message", id="m-ok", text="<img src=x onerror=alert(1)>\x00Hallo\x1b!\r\nTweede regel"
            ),
        ]
        await socket.close()
        return answers

    answers = run(scenario)
    assert [(a["type"], a.get("code"), a.get("id")) for a in answers[:9]] == [
        ("error", "bad_payload", None),
        ("error", "bad_payload", None),
        ("error", "bad_payload", None),
        ("error", "bad_id", None),
        ("error", "bad_id", "../../etc"),
        ("error", "too_long", "m-big"),
        ("error", "payload_too_large", None),
        ("error", "empty", "m-empty"),
        ("error", "bad_type", "m-num"),
    ]
    assert answers[9]["token"] is None and answers[9]["history"] == []
    assert answers[10]["type"] == "ack"
    assert Message.objects.get().text == "<img src=x onerror=alert(1)>Hallo!\nTweede regel"
    assert ChatMessageKey.objects.get().client_id == "m-ok"


def test_a_site_that_is_not_allowed_is_refused(team, chat_queue):
    async def scenario(origin: str) -> list[dict[str, Any]]:
        socket = Socket(origin=origin)
        assert (await socket.connect())["type"] == "websocket.accept"
        return [await socket.receive(), await socket.receive()]

    error, closed = run(lambda: scenario("https://evil.example"))
    assert (error["code"], closed) == ("origin_not_allowed", {"type": "websocket.close", "code": FORBIDDEN_ORIGIN})
    with override_settings(WEBCHAT_ALLOWED_ORIGINS=["https://shop.example"]):

        async def allowed() -> dict[str, Any]:
            socket = Socket(origin="https://shop.example")
            await socket.connect()
            welcome = await socket.send(type="hello")
            await socket.close()
            return welcome

        assert run(allowed)["type"] == "welcome"


def test_a_widget_naming_no_chat_queue_chats_on_the_fallback_queue_flagged(team, chat_queue):
    chat_agent(team)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = Socket(queue="email-general")
        await socket.connect()
        welcome = await socket.send(type="hello", lang="nl")
        ack = await socket.send(type="message", id="m-1", text="Hallo?")
        await socket.close()
        return welcome, ack

    welcome, ack = run(scenario)
    assert (welcome["type"], welcome["staffed"], ack["type"]) == ("welcome", True, "ack")
    contact = Contact.objects.select_related("queue").get()
    assert (contact.queue.is_fallback, contact.queue.channel, contact.channel) == (True, Channel.CHAT, Channel.CHAT)
    assert (contact.fallback_reason, contact.asked_queue) == (FallbackReason.UNKNOWN_QUEUE, "email-general")
    assert ChatConversation.objects.get().queue == contact.queue


def test_without_a_webform_queue_the_written_message_lands_in_the_fallback_queue(team, chat_queue):
    chat_agent(team, available=False)

    async def scenario() -> dict[str, Any]:
        socket = Socket()
        await socket.connect()
        await socket.send(type="hello", lang="nl")
        taken = await socket.send(type="written", id="w-1", name="Sanne", email="sanne@example.nl", text="Open?")
        await socket.close()
        return taken

    taken = run(scenario)
    contact = Contact.objects.select_related("queue").get()
    assert taken == {"type": "written_ack", "id": "w-1", "case": f"CP-{contact.case_id}"}
    assert (contact.queue.is_fallback, contact.channel, contact.fallback_reason) == (
        True,
        Channel.WEBFORM,
        FallbackReason.NO_QUEUE,
    )


def test_the_sender_refuses_a_reply_without_a_conversation(email_queue):
    case = mail(email_queue, timezone.now() - dt.timedelta(minutes=5), "m1")
    row = OutboundMessage.objects.create(case=case, channel=Channel.CHAT, to="-", body="Hallo", message_id="x@chat")
    with pytest.raises(SendError) as raised:
        send_chat(row)
    assert raised.value.permanent is True
