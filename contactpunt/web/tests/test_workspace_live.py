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

from contactpunt.contacts.models import AgentState
from contactpunt.contacts.services.assignment import set_agent_state
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
