# mypy: disable-error-code="no-untyped-call"
# (asgiref's ApplicationCommunicator has no annotations)
"""The workspace websocket asks the authorisation module per message: an agent whose queue access is removed
mid-session stops hearing about that queue's cases at once, and can no longer reply to them.

channels.testing.WebsocketCommunicator cannot be imported without daphne (channels/testing/__init__ imports the
live server); it is a thin ApplicationCommunicator subclass, used here directly as in test_workspace_live.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.access import live_ids_for, live_items_for
from contactpunt.contacts.models import Channel, Message, Queue
from contactpunt.contacts.services.queues import create_queue
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.people.models import Skill, User
from contactpunt.web.tests.test_workspace_live import Socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def finance(department: Any) -> tuple[Queue, Skill]:
    skill = Skill.objects.create(code="finance", name="Financiën")
    queue = create_queue(code="email-finance", name="Financiën", channel=Channel.EMAIL, skills=[skill])
    return queue, skill


def test_an_agent_losing_a_queue_mid_session_stops_receiving_its_cases(
    agent: User, email_queue: Queue, finance: tuple[Queue, Skill]
) -> None:
    queue, skill = finance
    agent.skills.add(skill)
    at = timezone.now() - dt.timedelta(minutes=5)

    async def scenario() -> list[dict[str, Any]]:
        socket = Socket(agent)
        assert (await socket.connect())["type"] == "websocket.accept"
        before = await sync_to_async(mail)(queue, at, "f1", sender="a@example.nl")
        heard = [await socket.receive_json()]
        await sync_to_async(agent.skills.remove)(skill)
        await sync_to_async(mail)(queue, at, "f2", sender="b@example.nl")
        assert await socket.app.receive_nothing(0.2)
        general = await sync_to_async(mail)(email_queue, at, "g1", sender="c@example.nl")
        heard.append(await socket.receive_json())
        assert await socket.app.receive_nothing(0.1)
        await socket.close()
        return [*heard, {"before": before.pk, "general": general.pk}]

    first, second, ids = asyncio.run(scenario())
    assert (first["kind"], first["case_id"]) == ("contact_received", ids["before"])
    assert (second["kind"], second["case_id"]) == ("contact_received", ids["general"])

    client = Client()
    client.force_login(agent)
    messages = Message.objects.count()
    response = client.post(reverse("workspace:reply", args=[ids["before"]]), {"body": "Hallo"})
    assert response.status_code == 404
    assert Message.objects.count() == messages


def test_a_batch_count_reaches_only_the_all_queue_roles(agent: User, team_lead: User) -> None:
    assert live_ids_for(agent, {"kind": "contact_received", "count": 40}) == {"kind": "contact_received"}
    assert live_ids_for(team_lead, {"kind": "contact_received", "count": 40}) == {
        "kind": "contact_received",
        "count": 40,
    }
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert live_ids_for(team_lead, {"kind": "agent_state_changed", "agent_id": agent.pk}) is not None
    assert live_ids_for(agent, {"kind": "agent_state_changed", "agent_id": agent.pk}) is None


def test_a_batch_is_checked_in_three_queries_and_keeps_only_what_the_user_may_see(
    agent: User, email_queue: Queue, finance: tuple[Queue, Skill], django_assert_max_num_queries: Any
) -> None:
    queue, _skill = finance  # the agent lacks the finance skill: its cases stay hidden
    at = timezone.now() - dt.timedelta(minutes=5)
    mine = [mail(email_queue, at, f"m{i}", sender=f"m{i}@example.nl") for i in range(20)]
    hidden = [mail(queue, at, f"h{i}", sender=f"h{i}@example.nl") for i in range(20)]
    contact = mine[0].contacts.get()
    items: list[dict[str, Any]] = [{"kind": "contact_received", "case_id": case.pk} for case in [*mine, *hidden]]
    items += [
        {"kind": "case_updated", "case_id": mine[1].pk, "contact_id": contact.pk},  # both in scope
        {"kind": "contact_received", "count": 40},
        {"kind": "agent_state_changed", "agent_id": agent.pk},
    ]
    with django_assert_max_num_queries(3):
        allowed = live_items_for(agent, items)
    assert allowed == [
        *({"kind": "contact_received", "case_id": case.pk} for case in mine),
        {"kind": "case_updated", "case_id": mine[1].pk, "contact_id": contact.pk},
        {"kind": "contact_received"},  # the count spans every queue: not for an agent
        {"kind": "agent_state_changed", "agent_id": agent.pk},
    ]
