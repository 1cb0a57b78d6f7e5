"""Read raw messages from a single .eml file, a directory of .eml files, an mbox file or a Maildir."""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

_MESSAGE_ID_RE = re.compile(rb"<([^<>\s]+)>")
_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")
_EML_SUFFIXES = frozenset({".eml", ".msg", ".txt", ""})


class UnknownSourceError(ValueError):
    """The path is neither an .eml file, a directory of them, an mbox file nor a Maildir."""


def external_id(raw: bytes) -> str:
    """Return the message's Message-ID without angle brackets, or "sha256:<hex>" of the raw bytes when it has none."""
    try:
        # Only the header block is parsed: the body (megabytes, for an attachment) can change nothing here.
        end = _HEADER_END_RE.search(raw)
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[: end.end()] if end else raw)
        value = headers.get("Message-ID")
    except Exception:  # malformed headers: fall back to the content hash
        value = None
    if value is not None:
        match = _MESSAGE_ID_RE.search(str(value).encode("utf-8", "surrogateescape"))
        if match:
            return match.group(1).decode("utf-8", "replace")
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def iter_messages(path: Path | str) -> Iterator[tuple[str, bytes]]:
    """Yield (external id, raw bytes) for every message at the path, one at a time.

    A Maildir is a directory with cur/, new/ and tmp/; any other directory is read as .eml files (sorted by name,
    not recursive; hidden files skipped); a file that starts with "From " is an mbox, any other file one message.
    Raises UnknownSourceError when the path does not exist.
    """
    path = Path(path)
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            yield from _maildir(path)
        else:
            yield from _directory(path)
    elif path.is_file():
        with path.open("rb") as handle:
            start = handle.read(5)
        yield from (_mbox(path) if start == b"From " else _single(path))
    else:
        raise UnknownSourceError(f"no such file or directory: {path}")


def _single(path: Path) -> Iterator[tuple[str, bytes]]:
    raw = path.read_bytes()
    yield external_id(raw), raw


def _directory(path: Path) -> Iterator[tuple[str, bytes]]:
    for child in sorted(path.iterdir()):
        if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in _EML_SUFFIXES:
            yield from _single(child)


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        raw = box.get_bytes(key)
        yield external_id(raw), raw


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            yield external_id(raw), raw
    finally:
        box.close()
