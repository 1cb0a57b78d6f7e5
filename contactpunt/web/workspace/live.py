"""Live updates: what `contacts` announces is pushed to every open workspace over a websocket.

Messages carry ids and a kind only; the browser reloads the partials it shows, which check permission
as every page does. The channel layer is in-memory by default and Redis in production (REDIS_URL).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from contactpunt.contacts.announcements import Announcement, Message, subscribe_many

logger = logging.getLogger(__name__)

GROUP = "workspace"
BATCH_AS_ONE = 20
PUSHED = (
    Announcement.CONTACT_RECEIVED,
    Announcement.CONTACT_EVENT_RECORDED,
    Announcement.AGENT_STATE_CHANGED,
    Announcement.CASE_RESOLVED,
    Announcement.CASE_REOPENED,
    Announcement.CASE_ASSIGNED,
    Announcement.CASE_UPDATED,
    Announcement.WORK_SESSION_CHANGED,
)


def push(kind: str, ids: dict[str, int]) -> None:
    """Send one live message to every open workspace."""
    _send({"type": "workspace.event", "kind": kind, **ids})


def push_each(kind: str, items: Sequence[dict[str, int]]) -> None:
    """Send live messages about several items to every open workspace in one send (each workspace's socket
    checks and passes on each item as its own message): a batch of contacts costs one round trip to the
    channel layer, not one per contact, in the writer that committed them."""
    _send({"type": "workspace.events", "kind": kind, "items": list(items)})


def _send(event: dict[str, object]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a request's or the worker's thread, with no event loop of its own
        in_loop = False
    else:
        in_loop = True
    if not in_loop:
        # Sent outside the except block: async_to_sync keeps the exception being handled (sys.exc_info()) to
        # raise it again in its loop, and that traceback's frames would hold the caller's whole stack (a writer's
        # batch with its rows and announcements) in a reference cycle until the cyclic collector ran.
        async_to_sync(layer.group_send)(GROUP, event)
        return
    # A commit in a thread that runs an event loop (a sync caller inside async code) cannot wait on it: the message
    # is sent from a thread of its own, so the announcement is still delivered instead of failing.
    sender = threading.Thread(target=async_to_sync(layer.group_send), args=(GROUP, event), name="workspace-push")
    sender.start()
    sender.join(timeout=5)


def on_announcements(messages: Sequence[Message]) -> None:
    """Push every announcement, a batch of them in one send; a large batch (an import) is one message with its
    count, since the browser reloads what it shows either way."""
    if len(messages) == 1:
        push(messages[0].name.value, messages[0].ids)
    elif len(messages) <= BATCH_AS_ONE:
        push_each(messages[0].name.value, [message.ids for message in messages])
    elif messages:
        push(messages[0].name.value, {"count": len(messages)})


def subscribe_live() -> None:
    """Push every announcement the workspace shows (called once from the web app's ready())."""
    for name in PUSHED:
        subscribe_many(name, on_announcements)
