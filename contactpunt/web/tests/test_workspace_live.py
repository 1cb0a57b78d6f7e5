# mypy: disable-error-code="no-untyped-call"
# (asgiref's ApplicationCommunicator has no annotations)
"""Live updates: what `contacts` announces reaches every open workspace websocket, after commit only."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from contactpunt.contacts.models import AgentState, Channel
from contactpunt.contacts.services.assignment import set_agent_state
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.web.workspace.consumers import UNAUTHENTICATED, WorkspaceConsumer

pytestmark = pytest.mark.django_db(transaction=True)


class Socket:
    """A websocket client of the consumer (channels.testing needs daphne; asgiref's communicator does not)."""

    def __init__(self, user: Any) -> None:
        scope = {"type": "websocket", "path": "/ws/workspace/", "headers": [], "subprotocols": [], "user": user}
        self.app = ApplicationCommunicator(WorkspaceConsumer.as_asgi(), scope)

    async def connect(self) -> dict[str, Any]:
        await self.app.send_input({"type": "websocket.connect"})
        return dict(await self.app.receive_output(3))

    async def receive_json(self) -> dict[str, Any]:
        output = await self.app.receive_output(3)
        assert output["type"] == "websocket.send"
        return dict(json.loads(output["text"]))

    async def close(self) -> None:
        await self.app.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.app.wait(1)


def test_anonymous_sockets_are_closed():
    async def scenario() -> dict[str, Any]:
        return await Socket(AnonymousUser()).connect()

    assert asyncio.run(scenario()) == {"type": "websocket.close", "code": UNAUTHENTICATED}


def test_new_contacts_and_state_changes_are_pushed(agent, email_queue):
    async def scenario() -> list[dict[str, Any]]:
        socket = Socket(agent)
        assert (await socket.connect())["type"] == "websocket.accept"
        case = await sync_to_async(mail)(email_queue, timezone.now() - dt.timedelta(minutes=1), "m1")
        first = await socket.receive_json()
        await sync_to_async(set_agent_state)(agent=agent, state=AgentState.AVAILABLE)
        second = await socket.receive_json()
        assert await socket.app.receive_nothing(0.1)
        await socket.close()
        return [first, second, {"case_id": case.pk}]

    first, second, ids = asyncio.run(scenario())
    assert first["kind"] == "contact_received" and first["case_id"] == ids["case_id"]
    assert second == {"kind": "agent_state_changed", "agent_id": agent.pk, "event_id": second["event_id"]}


def test_a_batch_of_contacts_is_one_send_and_reaches_the_socket_as_one_message_each(agent, email_queue, monkeypatch):
    """The group-commit writer commits contacts in batches: their live messages go out in one send to the
    channel layer (one round trip, not one per contact), and the browser still hears of each case."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sends: list[str] = []
    group_send = layer.group_send

    async def counted(group: str, message: dict[str, Any]) -> None:
        sends.append(message["type"])
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counted)
    contacts = [
        InboundContact(
            source="mailbox",
            queue=email_queue.code,
            occurred_at=timezone.now() - dt.timedelta(minutes=1),
            external_id=f"batch-{n}",
            channel=Channel.EMAIL,
            identities=(IdentityInput("email", f"klant{n}@example.nl"),),
            subject="Waar blijft mijn bestelling?",
            text="Nog niets ontvangen.",
        )
        for n in range(3)
    ]

    async def scenario() -> tuple[list[dict[str, Any]], list[int]]:
        socket = Socket(agent)
        assert (await socket.connect())["type"] == "websocket.accept"
        results = await sync_to_async(receive_contacts)(contacts)
        heard = [await socket.receive_json() for _ in contacts]
        assert await socket.app.receive_nothing(0.1)
        await socket.close()
        return heard, [result.case_id for result in results if result.case_id is not None]

    heard, case_ids = asyncio.run(scenario())
    assert [message["kind"] for message in heard] == ["contact_received"] * 3
    assert [message["case_id"] for message in heard] == case_ids
    assert sends == ["workspace.events"]
