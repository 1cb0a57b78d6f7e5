"""Cleaning what a visitor types before it is stored: the web chat and the web form share it.

Text is kept as text (pages escape it when they show it), so markup is never removed but never runs either.
Control characters other than newline and tab are dropped, line ends become newlines, and the text is NFC.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHAT_TEXT = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


class TextRejected(ValueError):
    """The text cannot be taken; `code` says why (empty, too_long, bad_type)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def clean_text(value: object, *, max_length: int = MAX_CHAT_TEXT, single_line: bool = False) -> str:
    """Return the cleaned text; raise TextRejected when it is not a string, empty after cleaning, or longer than
    `max_length` characters (it is refused rather than cut, so the visitor can shorten it and nothing is lost)."""
    if not isinstance(value, str):
        raise TextRejected("bad_type", "the text must be a string")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if single_line:
        text = " ".join(text.split())
    text = text.strip()
    if not text:
        raise TextRejected("empty", "the text is empty")
    if len(text) > max_length:
        raise TextRejected("too_long", f"the text is longer than {max_length} characters")
    return text
