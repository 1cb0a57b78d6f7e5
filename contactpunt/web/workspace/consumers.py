"""The workspace's websocket: signed-in users receive live messages (kind and ids) about what they may see.

Every message is checked against the authorisation module as it goes out (`access.live_ids_for`), not once at
connect: an agent whose queue access is removed mid-session stops hearing about that queue's cases at once.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactpunt.access import live_ids_for
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
        """Several items of one kind sent together (contactpunt.web.workspace.live.push_each): each is checked
        and sent as its own message, as if pushed alone."""
        for ids in event["items"]:
            await self.workspace_event({"type": "workspace.event", "kind": event["kind"], **ids})

    async def workspace_event(self, event: dict[str, Any]) -> None:
        ids = {key: value for key, value in event.items() if key != "type"}
        allowed = await database_sync_to_async(live_ids_for)(self.scope.get("user"), ids)
        if allowed is None:
            return
        await self.send_json(allowed)
