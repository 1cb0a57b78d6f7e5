"""Fixtures the rollup tests share."""

from __future__ import annotations

from typing import Any

import pytest

from contactpunt.contacts.models import Channel, Queue
from contactpunt.people.models import Role, Team, User


@pytest.fixture
def world(
    phone_queue: Queue, second_phone_queue: Queue, email_queue: Queue, team: Team, department: Any
) -> dict[str, Any]:
    chat = Queue.objects.create(code="chat", name="Chat", channel=Channel.CHAT, short_abandon_s=8, sl_threshold_s=30)
    other = Team.objects.create(name="Team Zuid", department=department)
    agents = [
        User.objects.create_user(username="a1", password="x", role=Role.AGENT, team=team),
        User.objects.create_user(username="a2", password="x", role=Role.AGENT, team=other),
        User.objects.create_user(username="a3", password="x", role=Role.AGENT),
    ]
    return {"queues": [phone_queue, second_phone_queue, chat, email_queue], "agents": agents}
