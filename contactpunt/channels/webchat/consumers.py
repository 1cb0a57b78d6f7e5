"""The web chat's websocket: one per open widget, at /ws/chat/<queue>/.

The widget sends JSON frames: `hello` (with the stored conversation token, to resume, and its self-service visitor
id), `message` (the visitor's
text with a message id made by the widget) and `written` (name, email and text when no agent can chat). Every frame
gets an answer: `welcome`, `ack`, `unstaffed`, `written_ack`, or `error` with a stable code and the message id, so
the widget can keep what was not taken and say why. Agent replies arrive as `reply`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from contactpunt.channels.webchat.availability import is_open, is_staffed
from contactpunt.channels.webchat.limits import SlidingWindow, is_allowed_origin, take_for_address
from contactpunt.channels.webchat.models import ChatConversation
from contactpunt.channels.webchat.services import (
    ChatRejected,
    find_conversation,
    history,
    leave_written_message,
    post_message,
    widget_queue,
)
from contactpunt.channels.webchat.text import MAX_CHAT_TEXT, TextRejected, clean_text
from contactpunt.channels.webform.services import WrittenContact, is_accepted
from contactpunt.contacts.models import Queue

#: The largest frame read at all; anything longer is refused before parsing.
MAX_FRAME = 4 * MAX_CHAT_TEXT + 2_000
FORBIDDEN_ORIGIN = 4403
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_VISITOR = re.compile(r"^[0-9a-f]{32}$")


class ChatConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    queue: Queue | None = None
    conversation: ChatConversation | None = None

    async def connect(self) -> None:
        self.origin = _header(self.scope, b"origin")
        self.address = str((self.scope.get("client") or ["unknown"])[0])
        self.window = SlidingWindow.per_connection()
        await self.accept()
        if not is_allowed_origin(self.origin):
            await self._error("origin_not_allowed", "this site may not open the chat")
            await self.close(code=FORBIDDEN_ORIGIN)
            return
        asked = str(self.scope["url_route"]["kwargs"]["queue"])
        self.queue = await database_sync_to_async(widget_queue)(asked)
        # A code that names no chat queue chats on the fallback queue; its contacts are flagged with the code.
        self.asked_queue = asked if asked != self.queue.code else ""

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(self.conversation.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.queue is None:
            return
        wait = self.window.take() or take_for_address(self.address)
        data = _parse(text_data) if bytes_data is None else None
        client_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
        if wait:
            await self._error("rate_limited", "too many messages; wait and send again", client_id, retry_after=wait)
            return
        if text_data is not None and len(text_data) > MAX_FRAME:
            await self._error("payload_too_large", f"a frame is at most {MAX_FRAME} characters", client_id)
            return
        if not isinstance(data, dict) or data.get("type") not in ("hello", "message", "written"):
            await self._error("bad_payload", "send a JSON object with type hello, message or written", client_id)
            return
        if data["type"] == "hello":
            await self._hello(data)
        elif client_id is None or not _CLIENT_ID.match(client_id):
            await self._error("bad_id", "a message needs an id of 1 to 64 letters, digits, - or _", client_id)
        elif data["type"] == "message":
            await self._message(data, client_id)
        else:
            await self._written(data, client_id)

    async def _hello(self, data: dict[str, Any]) -> None:
        assert self.queue is not None
        self.language = str(data.get("lang", ""))[:8]
        visitor = data.get("visitor")
        self.visitor = visitor if isinstance(visitor, str) and _VISITOR.match(visitor) else ""
        conversation = await database_sync_to_async(find_conversation)(self.queue, data.get("token"))
        lines = await database_sync_to_async(history)(conversation) if conversation is not None else []
        if conversation is not None:
            await self._join(conversation)
        now = timezone.now()
        staffed = await database_sync_to_async(is_staffed)(self.queue, now)
        await self._send(
            {
                "type": "welcome",
                "token": conversation.token if conversation is not None else None,
                "staffed": staffed,
                "open": staffed or await database_sync_to_async(is_open)(self.queue, now),
                "history": [line.as_json() for line in lines],
            }
        )

    async def _message(self, data: dict[str, Any], client_id: str) -> None:
        assert self.queue is not None
        try:
            text = clean_text(data.get("text"))
        except TextRejected as error:
            await self._error(error.code, str(error), client_id)
            return
        outcome = await database_sync_to_async(self._post)(client_id, text)
        if outcome is None:
            open_now = await database_sync_to_async(is_open)(self.queue, timezone.now())
            await self._send({"type": "unstaffed", "id": client_id, "open": open_now})
            return
        if isinstance(outcome, str):
            await self._error("not_taken", outcome, client_id)
            return
        if self.conversation is None or self.conversation.pk != outcome.conversation.pk:
            await self._join(outcome.conversation)
        await self._send(
            {"type": "ack", "id": client_id, "token": outcome.conversation.token, "message": outcome.line.as_json()}
        )

    def _post(self, client_id: str, text: str) -> Any:
        assert self.queue is not None
        conversation = self.conversation
        if conversation is not None:
            conversation.refresh_from_db(fields=["case"])
        has_agent = conversation is not None and conversation.case is not None and conversation.case.assignee_id
        if not has_agent and not is_staffed(self.queue, timezone.now()):
            return None
        try:
            return post_message(
                queue=self.queue,
                conversation=conversation,
                client_id=client_id,
                text=text,
                origin=self.origin,
                language=getattr(self, "language", ""),
                asked_queue=self.asked_queue,
                visitor=getattr(self, "visitor", ""),
            )
        except ChatRejected as error:
            return str(error)

    async def _written(self, data: dict[str, Any], client_id: str) -> None:
        assert self.queue is not None
        fields: dict[str, str] = {}
        values: dict[str, str] = {}
        for name, limit, single in (("name", 200, True), ("email", 254, True), ("text", 10_000, False)):
            try:
                values[name] = clean_text(data.get(name), max_length=limit, single_line=single)
            except TextRejected as error:
                fields[name] = error.code
        if "email" in values:
            try:
                validate_email(values["email"])
            except ValidationError:
                fields["email"] = "invalid"
        if fields:
            await self._error("invalid", "some fields are missing or wrong", client_id, fields=fields)
            return
        written = WrittenContact(
            key=client_id,
            name=values["name"],
            email=values["email"],
            subject="",  # a chat has no subject: the case is named by its channel and customer (Case.title)
            text=values["text"],
            language=getattr(self, "language", ""),
        )
        received = await database_sync_to_async(leave_written_message)(
            queue=self.queue,
            conversation=self.conversation,
            written=written,
            visitor=getattr(self, "visitor", ""),
            origin=self.origin,
        )
        if not is_accepted(received):
            await self._error("not_taken", "; ".join(e.message for e in received.errors), client_id)
            return
        await self._send({"type": "written_ack", "id": client_id, "case": f"CP-{received.case_id}"})

    async def chat_reply(self, event: dict[str, Any]) -> None:
        await self._send({"type": "reply", "message": event["message"]})

    async def _join(self, conversation: ChatConversation) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(self.conversation.group, self.channel_name)
        self.conversation = conversation
        await self.channel_layer.group_add(conversation.group, self.channel_name)

    async def _error(self, code: str, message: str, client_id: str | None = None, **extra: Any) -> None:
        await self._send({"type": "error", "code": code, "message": message, "id": client_id, **extra})

    async def _send(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))


def _parse(text_data: str | None) -> Any:
    if text_data is None or len(text_data) > MAX_FRAME:
        return None
    try:
        return json.loads(text_data)
    except ValueError:
        return None


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""
