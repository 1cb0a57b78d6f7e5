"""Reading Meta webhook payloads into the messages and statuses they carry. Pure: no database.

Formats (Meta's documentation; the test fixtures cite the pages):
- WhatsApp Cloud API, object "whatsapp_business_account": entry[].changes[] with field "messages"; its value has
  metadata.phone_number_id, contacts[] (profile.name, wa_id), messages[] (id "wamid...", from, timestamp in
  seconds, type text/image/document/audio/video/sticker/interactive/button/location/contacts/reaction/...) and
  statuses[] (id, status sent/delivered/read/failed, timestamp, recipient_id, errors[]).
- Messenger (object "page") and Instagram messaging (object "instagram"): entry[].messaging[] with sender.id,
  recipient.id, timestamp in milliseconds and message (mid, text, attachments[], quick_reply, is_echo), postback,
  delivery (mids[], watermark) or read (watermark).
- Facebook page feed (object "page"): entry[].changes[] with field "feed", value.item "comment", verb "add",
  comment_id, post_id, parent_id, from (id, name), message, created_time.
- Instagram comments (object "instagram"): entry[].changes[] with field "comments" (or "live_comments"), value
  id, text, from (id, username), media (id), parent_id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from contactpunt.channels.meta.models import Platform


class PayloadError(ValueError):
    """The body is JSON but not a Meta notification (no object, no entry list)."""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An attachment the platform holds: WhatsApp gives a media id, Messenger and Instagram a URL."""

    kind: str
    media_id: str = ""
    url: str = ""
    mime_type: str = ""
    filename: str = ""


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One customer message or comment."""

    platform: str
    account_id: str
    external_id: str
    sender_id: str
    occurred_at: dt.datetime
    text: str
    conversation_id: str
    sender_name: str = ""
    is_public: bool = False
    media: tuple[MediaRef, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusItem:
    """A delivery status of a message we sent; `platform_message_id` empty with `watermark` for a Messenger read."""

    platform: str
    account_id: str
    platform_message_id: str
    status: str
    occurred_at: dt.datetime
    recipient_id: str = ""
    error: str = ""


@dataclass(slots=True)
class Parsed:
    messages: list[InboundItem] = field(default_factory=list)
    statuses: list[StatusItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parse_notification(payload: Any, *, received_at: dt.datetime) -> Parsed:
    """Return the messages and statuses of one webhook body; what is not a customer message (echoes of our own
    messages, reactions, edits) is listed in `skipped`. Raise PayloadError when it is not a Meta notification."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("not a Meta notification: no entry list")
    kind = payload.get("object")
    parsed = Parsed()
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            parsed.skipped.append("entry is not an object")
            continue
        entry_time = _time(entry.get("time"), received_at)
        if kind == "whatsapp_business_account":
            for change in _dicts(entry.get("changes")):
                _whatsapp_change(change, parsed, received_at)
        elif kind in ("page", "instagram"):
            platform = Platform.FACEBOOK if kind == "page" else Platform.INSTAGRAM
            account_id = str(entry.get("id", ""))
            for event in _dicts(entry.get("messaging")):
                _messaging_event(platform, account_id, event, parsed, entry_time)
            for change in _dicts(entry.get("changes")):
                _comment_change(platform, account_id, change, parsed, entry_time)
        else:
            parsed.skipped.append(f"object {kind!r}")
    return parsed


# -- WhatsApp ---------------------------------------------------------------------------------------


def _whatsapp_change(change: dict[str, Any], parsed: Parsed, received_at: dt.datetime) -> None:
    value = change.get("value")
    if change.get("field") != "messages" or not isinstance(value, dict):
        parsed.skipped.append(f"whatsapp field {change.get('field')!r}")
        return
    metadata = _obj(value.get("metadata"))
    account_id = str(metadata.get("phone_number_id", ""))
    names = {
        str(c.get("wa_id", "")): str((c.get("profile") or {}).get("name", "")) for c in _dicts(value.get("contacts"))
    }
    for message in _dicts(value.get("messages")):
        sender = str(message.get("from", ""))
        text, media = _whatsapp_content(message)
        if text is None:
            parsed.skipped.append(f"whatsapp {message.get('type')!r} message {message.get('id', '')}")
            continue
        parsed.messages.append(
            InboundItem(
                platform=Platform.WHATSAPP,
                account_id=account_id,
                external_id=str(message.get("id", "")),
                sender_id=sender,
                sender_name=names.get(sender, ""),
                occurred_at=_time(message.get("timestamp"), received_at),
                text=text,
                conversation_id=sender,
                media=media,
                raw=message,
            )
        )
    for status in _dicts(value.get("statuses")):
        errors = [f"{e.get('code', '')} {e.get('title', '')}".strip() for e in _dicts(status.get("errors"))]
        parsed.statuses.append(
            StatusItem(
                platform=Platform.WHATSAPP,
                account_id=account_id,
                platform_message_id=str(status.get("id", "")),
                status=str(status.get("status", "")),
                occurred_at=_time(status.get("timestamp"), received_at),
                recipient_id=str(status.get("recipient_id", "")),
                error="; ".join(errors)[:500],
            )
        )


_WHATSAPP_MEDIA = ("image", "document", "audio", "video", "sticker")


def _whatsapp_content(message: dict[str, Any]) -> tuple[str | None, tuple[MediaRef, ...]]:
    """The text of a WhatsApp message and its media; text None for a message that is not a customer question."""
    kind = str(message.get("type", ""))
    body = _obj(message.get(kind))
    if kind == "text":
        return str(body.get("body", "")), ()
    if kind in _WHATSAPP_MEDIA:
        ref = MediaRef(
            kind=kind,
            media_id=str(body.get("id", "")),
            mime_type=str(body.get("mime_type", "")),
            filename=str(body.get("filename", "")),
        )
        return str(body.get("caption", "")), (ref,)
    if kind == "interactive":
        reply = _obj(body.get(str(body.get("type", ""))))
        parts = [str(reply.get("title", "")), str(reply.get("description", ""))]
        return " — ".join(p for p in parts if p), ()
    if kind == "button":
        return str(body.get("text", "") or body.get("payload", "")), ()
    if kind == "location":
        place = ", ".join(str(body[k]) for k in ("name", "address") if body.get(k))
        coordinates = f"{body.get('latitude', '')}, {body.get('longitude', '')}"
        return (f"{place} ({coordinates})" if place else coordinates), ()
    if kind == "contacts":
        cards = []
        for card in _dicts(message.get("contacts")):
            name = str((card.get("name") or {}).get("formatted_name", ""))
            phones = ", ".join(str(p.get("phone", "")) for p in _dicts(card.get("phones")))
            cards.append(f"{name} {phones}".strip())
        return "\n".join(cards), ()
    if kind in ("reaction", "system", "ephemeral"):
        return None, ()
    # "unsupported", "unknown", "order" and later types: keep the message, say what it was.
    return f"[{kind or 'unknown'}]", ()


# -- Messenger and Instagram messaging -------------------------------------------------------------


def _messaging_event(
    platform: str, account_id: str, event: dict[str, Any], parsed: Parsed, entry_time: dt.datetime
) -> None:
    sender = str((event.get("sender") or {}).get("id", ""))
    at = _time(event.get("timestamp"), entry_time)
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo") or sender == account_id:
            parsed.skipped.append(f"echo {message.get('mid', '')}")
            return
        if message.get("is_deleted"):
            parsed.skipped.append(f"deleted {message.get('mid', '')}")
            return
        media = tuple(
            MediaRef(kind=str(a.get("type", "file")), url=str((a.get("payload") or {}).get("url", "")))
            for a in _dicts(message.get("attachments"))
        )
        text = str(message.get("text", ""))
        if not text and isinstance(message.get("quick_reply"), dict):
            text = str(message["quick_reply"].get("payload", ""))
        parsed.messages.append(
            InboundItem(
                platform=platform,
                account_id=account_id,
                external_id=str(message.get("mid", "")),
                sender_id=sender,
                occurred_at=at,
                text=text,
                conversation_id=sender,
                media=media,
                raw=event,
            )
        )
    elif isinstance(event.get("postback"), dict):
        postback = event["postback"]
        parsed.messages.append(
            InboundItem(
                platform=platform,
                account_id=account_id,
                external_id=str(postback.get("mid", "")) or f"postback:{sender}:{event.get('timestamp', '')}",
                sender_id=sender,
                occurred_at=at,
                text=str(postback.get("title", "") or postback.get("payload", "")),
                conversation_id=sender,
                raw=event,
            )
        )
    elif isinstance(event.get("delivery"), dict):
        for mid in event["delivery"].get("mids") or []:
            parsed.statuses.append(StatusItem(platform, account_id, str(mid), "delivered", at, sender))
    elif isinstance(event.get("read"), dict):
        watermark = _time(event["read"].get("watermark"), at)
        parsed.statuses.append(
            StatusItem(platform, account_id, str(event["read"].get("mid", "")), "read", watermark, sender)
        )
    else:
        parsed.skipped.append(f"{platform} messaging event {sorted(event)}")


# -- public comments (webcare) ----------------------------------------------------------------------


def _comment_change(
    platform: str, account_id: str, change: dict[str, Any], parsed: Parsed, entry_time: dt.datetime
) -> None:
    value = change.get("value")
    field_name = change.get("field")
    if not isinstance(value, dict):
        parsed.skipped.append(f"{platform} change without value")
        return
    author = _obj(value.get("from"))
    sender = str(author.get("id", ""))
    if platform == Platform.FACEBOOK and field_name == "feed":
        if value.get("item") != "comment" or value.get("verb") != "add":
            parsed.skipped.append(f"feed {value.get('item')!r} {value.get('verb')!r}")
            return
        external_id, text = str(value.get("comment_id", "")), str(value.get("message", ""))
        thread = str(value.get("post_id", ""))
        name = str(author.get("name", ""))
        at = _time(value.get("created_time"), entry_time)
    elif platform == Platform.INSTAGRAM and field_name in ("comments", "live_comments"):
        external_id, text = str(value.get("id", "")), str(value.get("text", ""))
        thread = str((value.get("media") or {}).get("id", ""))
        name = str(author.get("username", ""))
        at = entry_time
    else:
        parsed.skipped.append(f"{platform} field {field_name!r}")
        return
    if sender == account_id:
        parsed.skipped.append(f"own comment {external_id}")
        return
    parsed.messages.append(
        InboundItem(
            platform=platform,
            account_id=account_id,
            external_id=external_id,
            sender_id=sender,
            sender_name=name,
            occurred_at=at,
            text=text,
            conversation_id=f"comments:{thread}:{sender}",
            is_public=True,
            raw=value,
        )
    )


# -- helpers ----------------------------------------------------------------------------------------


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _time(value: Any, default: dt.datetime) -> dt.datetime:
    """A Unix time in seconds or milliseconds (Meta uses both), as an aware UTC datetime."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if number > 100_000_000_000:
        number /= 1000
    try:
        return dt.datetime.fromtimestamp(number, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return default
