"""The workspace's websocket: signed-in users receive live messages (kind and ids) about what they may see.

Every message is checked against the authorisation module as it goes out (`access.live_items_for`), not once at
connect: an agent whose queue access is removed mid-session stops hearing about that queue's cases at once. A
batch is checked at once (at most three queries per connected user, however many items it holds).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactpunt.access import live_items_for
from contactpunt.web.workspace.live import GROUP

UNAUTHENTICATED = 4401


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def workspace_events(self, event: dict[str, Any]) -> None:
        """Several items of one kind sent together (contactpunt.web.workspace.live.push_each): checked together,
        each sent as its own message, as if pushed alone."""
        await self._send_allowed([{"kind": event["kind"], **ids} for ids in event["items"]])

    async def workspace_event(self, event: dict[str, Any]) -> None:
        await self._send_allowed([{key: value for key, value in event.items() if key != "type"}])

    async def _send_allowed(self, items: list[dict[str, Any]]) -> None:
        for allowed in await database_sync_to_async(live_items_for)(self.scope.get("user"), items):
            await self.send_json(allowed)
