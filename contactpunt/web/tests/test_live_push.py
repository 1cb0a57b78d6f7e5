"""A push from a thread that runs an event loop (a sync caller inside async code) is delivered, not failed; a push
from a plain thread keeps nothing of its caller alive."""

from __future__ import annotations

import asyncio
import gc
import weakref

from channels.layers import get_channel_layer

from contactpunt.web.workspace.live import GROUP, push


def test_a_push_from_inside_a_running_event_loop_reaches_the_workspaces() -> None:
    layer = get_channel_layer()
    assert layer is not None

    async def listen_and_push() -> dict[str, object]:
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        push("contact_received", {"contact_id": 7})  # raised "cannot use AsyncToSync" here before
        received: dict[str, object] = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard(GROUP, channel)
        return received

    received = asyncio.run(listen_and_push())
    assert received == {"type": "workspace.event", "kind": "contact_received", "contact_id": 7}


def test_a_push_keeps_nothing_of_its_callers_stack_alive() -> None:
    # A writer pushes after every batch with the collector paused: a reference cycle through the caller's frames
    # would keep each batch's rows until the next collection.
    class Batch:
        pass

    def write_a_batch() -> weakref.ref[Batch]:
        batch = Batch()
        push("contact_received", {"contact_id": 7})
        return weakref.ref(batch)

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        assert write_a_batch()() is None
    finally:
        if was_enabled:
            gc.enable()
