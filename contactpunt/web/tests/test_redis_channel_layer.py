"""The live layer in production: announcements reach a workspace through a real Redis server."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from contactpunt.contacts.announcements import Announcement, Message
from contactpunt.web.workspace import live

REDIS = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of the test's own, on a free loopback port, keeping nothing on disk."""
    if REDIS is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed; CI must install it (Debian package redis-server)")
        pytest.skip("redis-server is not installed: the Redis channel layer is not tested here")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own server binary, fixed arguments)
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def test_an_announcement_reaches_a_workspace_through_redis(redis_url: str, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    channel_layers.backends.clear()  # build the layer from the settings above
    try:
        layer = get_channel_layer()
        assert type(layer).__name__ == "RedisChannelLayer"
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(live.GROUP, channel)

        live.on_announcements([Message(Announcement.CASE_ASSIGNED, {"case_id": 7, "agent_id": 3})])

        async def receive() -> dict[str, object]:
            return await asyncio.wait_for(layer.receive(channel), timeout=5)

        received = async_to_sync(receive)()

        assert received == {"type": "workspace.event", "kind": "case_assigned", "case_id": 7, "agent_id": 3}
    finally:
        channel_layers.backends.clear()
