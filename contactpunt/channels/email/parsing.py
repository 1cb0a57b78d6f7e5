"""Parse raw RFC 822 / MIME bytes into a ParsedEmail: pure, no database, never raises.

The message is parsed with Python's `email` package under `policy.default` (each header value parsed once, see
`HeaderCachingPolicy`); when that fails it is parsed again under `policy.compat32`, and when even that fails the
result keeps the raw bytes and names the reason in `problems`. Every string in the result is clean Unicode
(undecodable bytes become U+FFFD, NUL characters are removed), so it can be stored in PostgreSQL as it is.
"""

from __future__ import annotations

import codecs
import functools
import html
import mimetypes
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, TypeVar

import nh3

from contactpunt.channels.email.kinds import LOOP_HEADER, MAX_HOPS, MailKind, classify
from contactpunt.channels.email.repair import codec_for, decode_unknown, repair
from contactpunt.channels.email.replies import split_reply

__all__ = ["LOOP_HEADER", "MAX_HOPS", "MailKind", "ParsedEmail", "classify", "parse_email"]

T = TypeVar("T")

#: The case token in a subject: "[CP-123]". Group 1 is the case number.
CASE_TOKEN_RE = re.compile(r"\[CP-(\d{1,18})\]", re.IGNORECASE)

_MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")
_TRAILING_DOT = re.compile(r"(@[^\s<>,;@]+?)\.+(?=>|\s|,|;|$)")
_UNSAFE_FILENAME_RE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
_MAX_FILENAME_BYTES = 200
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BLOCK_TAG_RE = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table|hr)\b[^>]*>", re.IGNORECASE)
_SCRIPT_STYLE_RE = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LINESEP_RE = re.compile(r"\n|\r")
#: Header values longer than this are parsed every time rather than kept in the cache.
_MAX_CACHED_HEADER = 2000


class HeaderCachingPolicy(policy.EmailPolicy):
    """`policy.default`, except that a header value is parsed into its header object once.

    Under `policy.default` every `Message.get()`, and so every `get_content_type()`, `get_param()`,
    `get_filename()` and `get_content_charset()`, runs the RFC 5322 header parser again on the same text: two
    thirds of the parse time of a typical message. The header objects are immutable and depend only on (name,
    value), so the same pair always gives an equal object; a bounded cache shares them within and across messages.
    """

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name") or not isinstance(value, str) or len(value) > _MAX_CACHED_HEADER:
            return super().header_fetch_parse(name, value)
        return _parsed_header(name, value)


@functools.lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> Any:
    return policy.default.header_factory(name, "".join(_LINESEP_RE.split(value)))


#: The policy messages are parsed under first.
PARSE_POLICY = HeaderCachingPolicy()


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: the address as written (empty when unparseable) and the decoded display name."""

    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment or inline part. `filename` is always a safe, non-empty base name."""

    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None
    is_inline: bool = False

    @property
    def size(self) -> int:
        """Return the size of the decoded content in bytes."""
        return len(self.content)


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """Everything the email channel needs from one raw message.

    Message ids are given without angle brackets. `text_body` is the text/plain body, or the text of the HTML
    body when there is no plain part. `new_text`, `signature` and `quoted_text` split `text_body`. `html_body` is
    the original HTML as sent (never render it unsanitised); `html_text` is that HTML as safe plain text.
    """

    raw: bytes
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    case_number: int | None = None
    from_address: str | None = None
    from_name: str = ""
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    date: datetime | None = None
    text_body: str = ""
    html_body: str | None = None
    html_text: str = ""
    new_text: str = ""
    signature: str = ""
    quoted_text: str = ""
    attachments: tuple[Attachment, ...] = ()
    kind: MailKind = MailKind.NORMAL
    kind_reason: str = ""
    problems: tuple[str, ...] = field(default=())

    @property
    def case_token(self) -> str | None:
        """Return the case token as written in subjects ("CP-123"), or None when the subject has none."""
        return None if self.case_number is None else f"CP-{self.case_number}"

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Return the ids this message answers, nearest first: In-Reply-To, then References from last to first."""
        ids: list[str] = [self.in_reply_to] if self.in_reply_to else []
        ids.extend(ref for ref in reversed(self.references) if ref not in ids)
        return tuple(ids)


def find_case_number(subject: str) -> int | None:
    """Return the case number of the first "[CP-<digits>]" token in the subject, or None."""
    match = CASE_TOKEN_RE.search(subject)
    return int(match.group(1)) if match else None


def parse_email(raw: bytes, *, own_addresses: Collection[str] = ()) -> ParsedEmail:
    """Parse raw message bytes; never raises.

    `own_addresses` are the mailbox addresses of this Contactpunt; a message from one of them is a loop.
    A message that cannot be parsed at all gives a ParsedEmail with only `raw` and `problems` filled in.
    """
    problems: list[str] = []
    if not isinstance(raw, bytes | bytearray | memoryview):
        return ParsedEmail(raw=b"", problems=(f"input is {type(raw).__name__}, not bytes",))
    raw = bytes(raw)
    if not raw.strip():
        return ParsedEmail(raw=raw, problems=("empty message",))
    if raw.startswith(_OLE_MAGIC):
        return ParsedEmail(raw=raw, problems=("an Outlook .msg file (OLE compound document), not an RFC 822 message",))
    readable, repairs = repair(raw)
    problems.extend(repairs)
    for name, chosen in (("default", PARSE_POLICY), ("compat32", policy.compat32)):
        try:
            message = BytesParser(policy=chosen).parsebytes(readable)
            return _build(raw, message, problems, own_addresses)
        except RecursionError:
            problems.append(f"parsing under policy.{name} failed: structure nested too deeply")
        except Exception as error:  # the stdlib parser has known crashes on malformed input
            problems.append(f"parsing under policy.{name} failed: {type(error).__name__}: {_clean(str(error))[:200]}")
    return ParsedEmail(raw=raw, problems=tuple(problems))


def _build(raw: bytes, message: Message, problems: list[str], own_addresses: Collection[str]) -> ParsedEmail:
    problems.extend(_defects(message))
    if not message.keys():
        problems.append("no headers found")
    subject = _header_text(message, "Subject", problems)
    from_addresses = _addresses(message, "From", problems)
    sender = from_addresses[0] if from_addresses else None
    if sender is None or not sender.address:
        # No readable From: the Sender or Reply-To header says who wrote, as a reply would go there.
        for fallback in ("Sender", "Reply-To"):
            found = [a for a in _addresses(message, fallback, problems) if a.address]
            if found:
                sender = found[0]
                problems.append(f"no From address; the sender is taken from {fallback}")
                break
        else:
            problems.append("no From address")
    text_part, html_part = _body_parts(message, problems)
    text_body = _part_text(text_part, problems) if text_part is not None else ""
    html_body = _part_text(html_part, problems) if html_part is not None else None
    html_text = html_to_text(html_body) if html_body else ""
    if not text_body.strip() and html_text:
        text_body = html_text
    split = split_reply(text_body)
    kind, reason = classify(
        message,
        sender.address if sender else None,
        own_addresses,
        text=text_body,
        sender_name=sender.name if sender else "",
    )
    return ParsedEmail(
        raw=raw,
        message_id=_first_id(_header_text(message, "Message-ID", problems)),
        in_reply_to=_first_id(_header_text(message, "In-Reply-To", problems)),
        references=_all_ids(_header_text(message, "References", problems)),
        subject=subject,
        case_number=find_case_number(subject),
        from_address=sender.address if sender else None,
        from_name=sender.name if sender else "",
        to=tuple(_addresses(message, "To", problems)),
        cc=tuple(_addresses(message, "Cc", problems)),
        reply_to=tuple(_addresses(message, "Reply-To", problems)),
        date=_date(_header_text(message, "Date", problems), problems),
        text_body=text_body,
        html_body=html_body,
        html_text=html_text,
        new_text=split.new_text,
        signature=split.signature,
        quoted_text=split.quoted,
        attachments=tuple(_attachments(message, (text_part, html_part), problems)),
        kind=kind,
        kind_reason=reason,
        problems=tuple(dict.fromkeys(problems)),
    )


def html_to_text(html_body: str) -> str:
    """Return the HTML as plain text: tags removed by nh3 (scripts and styles with their content), entities
    decoded, block elements as line breaks. The result is text, to be escaped like any text when shown."""
    try:
        marked = _BLOCK_TAG_RE.sub(lambda m: m.group(0) + "\n", _SCRIPT_STYLE_RE.sub("", html_body))
        text = html.unescape(nh3.clean(marked, tags=set(), attributes={}, strip_comments=True))
    except Exception:  # nh3 raises on inputs it refuses; fall back to a crude strip rather than lose the text
        text = html.unescape(re.sub(r"<[^>]*>", " ", html_body))
    text = _clean(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise_filename(name: str | None, *, content_type: str = "application/octet-stream", index: int = 1) -> str:
    """Return a safe base name: no directories, control or reserved characters, at most 200 UTF-8 bytes, never
    empty (then "attachment-<index><extension guessed from the content type>")."""
    cleaned = unicodedata.normalize("NFC", _clean(name or ""))
    cleaned = re.split(r"[/\\]", cleaned)[-1]
    cleaned = _UNSAFE_FILENAME_RE.sub("_", cleaned).strip().lstrip(".").strip()
    if cleaned.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
        cleaned = f"_{cleaned}"
    if len(cleaned.encode("utf-8")) > _MAX_FILENAME_BYTES:
        stem, dot, extension = cleaned.rpartition(".")
        if not dot or len(extension) > 10:
            stem, extension = cleaned, ""
        budget = _MAX_FILENAME_BYTES - len(extension.encode("utf-8")) - 1
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        cleaned = f"{stem}.{extension}" if extension else stem
    if not cleaned.strip("_ "):
        cleaned = f"attachment-{index}{mimetypes.guess_extension(content_type) or '.bin'}"
    return cleaned


def _clean(text: str) -> str:
    """Return text as clean Unicode: surrogate-escaped bytes decoded (UTF-8, else what they look like:
    see `decode_unknown`), NUL removed."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    return decode_unknown(data).replace("\x00", "")


def _safe(function: Callable[[], T], default: T) -> T:
    """Return function(), or the default when it raises: the stdlib accessors raise on malformed parts."""
    try:
        return function()
    except Exception:
        return default


def _defects(message: Message) -> Iterator[str]:
    for part in _safe(lambda: list(message.walk()), [message]):
        for defect in getattr(part, "defects", ()):
            detail = _clean(str(defect))[:200]
            yield f"{type(defect).__name__}: {detail}" if detail else type(defect).__name__


def _raw_header(message: Message, name: str) -> str:
    """Return the header's value unfolded and stripped, decoded as far as needed for comparisons; "" if absent."""
    value = _safe(lambda: message.get(name), None)
    if value is None:
        return ""
    return _clean(_safe(lambda: str(value), "")).replace("\r", "").replace("\n", "").strip()


def _header_text(message: Message, name: str, problems: list[str]) -> str:
    """Return the header decoded (RFC 2047, RFC 6532 UTF-8) as one line; "" when absent."""
    try:
        value = message.get(name)
        if value is None:
            return ""
        if isinstance(value, str) and "=?" in value and not hasattr(value, "defects"):
            # compat32 leaves encoded words as they are
            value = str(make_header(decode_header(value)))
        text = _clean(str(value))
    except Exception as error:
        problems.append(f"{name} header could not be decoded: {type(error).__name__}")
        text = _clean(str(_safe(lambda: message.get(name), None) or ""))
    if "\ufffd" in text:
        text = _safe(lambda: _header_from_bytes(message, name), None) or text
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _header_from_bytes(message: Message, name: str) -> str | None:
    """Decode a header again from its bytes, when the parser could not (8-bit text without a charset,
    an encoded word in a charset that says less than it holds)."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if raw is None:
        return None
    data = str(raw).encode("ascii", "surrogateescape")
    if b"=?" in data:
        words = decode_header(data.decode("ascii", "replace"))
        return "".join(
            chunk.decode(codec_for(charset or "us-ascii"), "replace") if isinstance(chunk, bytes) else chunk
            for chunk, charset in words
        )
    return decode_unknown(data)


def _addresses(message: Message, name: str, problems: list[str]) -> list[Address]:
    header = _safe(lambda: message.get(name), None)
    if header is None:
        return []
    structured = getattr(header, "addresses", None)  # policy.default's AddressHeader; compat32 gives a plain str
    parsed: list[Address] | None = None
    if structured is not None:
        parsed = _safe(lambda: [Address(_clean(a.addr_spec), _clean(a.display_name)) for a in structured], None)
    if parsed is None:
        text = _header_text(message, name, problems)
        parsed = [Address(_clean(addr), _clean(real)) for real, addr in getaddresses([text]) if addr or real]
    if any(a.address and ("@" not in a.address or a.address.endswith(".")) for a in parsed) or (
        parsed and not any(a.address for a in parsed)
    ):
        raw = _safe(lambda: _header_from_bytes(message, name), None) or ""
        parsed = _addresses_repaired(raw) or parsed
    result = [a for a in parsed if a.address or a.name]
    if not result and _raw_header(message, name):
        problems.append(f"{name} header has no readable address")
    return result


def _addresses_repaired(text: str) -> list[Address]:
    """Read addresses that the strict parser refused: a trailing dot after the domain ("a@b.nl.")."""
    text = _TRAILING_DOT.sub(r"\1", text)
    return [Address(_clean(addr), _clean(real)) for real, addr in getaddresses([text]) if "@" in addr]


def _first_id(value: str) -> str | None:
    ids = _all_ids(value)
    return ids[0] if ids else None


def _all_ids(value: str) -> tuple[str, ...]:
    found = _MESSAGE_ID_RE.findall(value)
    if not found:
        found = [token.strip("<>,;") for token in value.split()]
    return tuple(dict.fromkeys(token for token in found if token))


def _date(value: str, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append(f"unreadable Date: {value[:80]}")
        return None
    if parsed.tzinfo is None:
        # RFC 5322 "-0000": the time is UTC but the sender's zone is unknown
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _leaves(message: Message) -> Iterator[Message]:
    """Yield the leaf parts in order; message/* parts count as leaves (a forwarded mail is one attachment)."""
    stack = [message]
    while stack:
        part = stack.pop()
        maintype = _safe(part.get_content_maintype, "text")
        payload = _safe(part.get_payload, None)
        if maintype == "multipart" and isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
        elif maintype == "message" and part is not message:
            yield part
        elif maintype == "message" and isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
        else:
            yield part


def _is_attachment(part: Message) -> bool:
    disposition = _safe(part.get_content_disposition, None)
    return disposition == "attachment" or bool(_safe(part.get_filename, None))


def _body_parts(message: Message, problems: list[str]) -> tuple[Message | None, Message | None]:
    """Return the text/plain and text/html parts that form the body (the first of each that is not an attachment,
    and that is not inside a forwarded message)."""
    text_part: Message | None = None
    html_part: Message | None = None
    try:
        for part in _leaves(message):
            content_type = _safe(part.get_content_type, "text/plain")
            if _is_attachment(part):
                continue
            if content_type == "text/plain" and text_part is None:
                text_part = part
            elif content_type == "text/html" and html_part is None:
                html_part = part
    except RecursionError:
        problems.append("MIME structure nested too deeply")
    if text_part is None and html_part is None and isinstance(_safe(message.get_payload, None), str):
        # A multipart without a usable boundary keeps its whole body as one string: show it rather than lose it.
        problems.append("no text part found; the unsplit body is used as text")
        text_part = message
    return text_part, html_part


def _payload_bytes(part: Message) -> bytes:
    maintype = _safe(part.get_content_maintype, "")
    payload = _safe(part.get_payload, None)
    if maintype == "message" and isinstance(payload, list):
        chunks = []
        for sub in payload:
            if isinstance(sub, Message):
                chunks.append(_safe(sub.as_bytes, None) or _clean(_safe(sub.as_string, "")).encode("utf-8"))
        return b"\n".join(chunks)
    decoded = _safe(lambda: part.get_payload(decode=True), None)
    if isinstance(decoded, bytes):
        return decoded
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _part_text(part: Message, problems: list[str]) -> str:
    """Return the part's content decoded with its charset (or the superset mail in it is written in);
    unknown or wrong charsets are read as what the bytes look like, with a problem noted."""
    data = _payload_bytes(part)
    charset = _safe(part.get_content_charset, None) or "us-ascii"
    try:
        codec = codecs.lookup(codec_for(charset)).name
    except LookupError:
        problems.append(f"unknown charset {charset!r}")
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text = decode_unknown(data)
        problems.append(f"body is not valid {charset}")
    return _clean(text).replace("\r\n", "\n")


def _attachments(message: Message, body_parts: tuple[Message | None, ...], problems: list[str]) -> Iterator[Attachment]:
    index = 0
    try:
        for part in _leaves(message):
            if part is message or any(part is body for body in body_parts):
                continue
            index += 1
            content_type = _safe(part.get_content_type, "application/octet-stream")
            try:
                filename = part.get_filename()
            except Exception:
                problems.append(f"attachment {index}: unreadable filename")
                filename = None
            content_id = _first_id(_raw_header(part, "Content-ID"))
            disposition = _safe(part.get_content_disposition, None)
            yield Attachment(
                filename=sanitise_filename(filename, content_type=content_type, index=index),
                content_type=content_type,
                content=_payload_bytes(part),
                content_id=content_id,
                is_inline=disposition == "inline" or (disposition is None and content_id is not None),
            )
    except RecursionError:
        problems.append("MIME structure nested too deeply")
