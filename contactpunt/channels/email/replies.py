"""Separate the new text of an email body from its quoted history and its signature.

Reply headers are recognised with the patterns of mail-parser-reply (MIT), which knows many clients and languages,
including Dutch ("Op ... schreef ...:", Outlook's "Van:/Verzonden:/Aan:/Onderwerp:"). On top of them this module
reads line by line so bottom posting and inline answers keep their new text, recognises attribution lines of
clients and languages the library does not know (a short line with a date or address ending in ":" above a quote,
e.g. Russian Android), and recognises phone signatures such as the Dutch "Verstuurd vanaf mijn iPhone".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# mail-parser-reply ships no type information.
from mailparser_reply.parser import EmailMessage  # type: ignore[import-untyped, unused-ignore]

#: Longest body that is split; the header patterns are not linear on every input, so the rest of a longer body is
#: kept as quoted history, never dropped.
MAX_SPLIT_CHARS = 60_000

#: Languages whose reply headers are recognised (English is always included by the library).
REPLY_LANGUAGES = ("nl", "en", "de", "fr")

_SENT_FROM_RE = re.compile(
    r"^(?:Verstuurd vanaf mijn|Verzonden vanaf mijn|Verzonden met|Sent from my|Sent with|Get Outlook for"
    r"|Von meinem .{1,40} gesendet|Envoy\u00e9 de mon)\b[^,;!\n]{0,80}(?<!\.)$",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE_DELIMITER_RE = re.compile(r"^-- ?$", re.MULTILINE)
_QUOTED_LINE_RE = re.compile(r"^\s*>")
_ATTRIBUTION_HINT_RE = re.compile(r"\d|@")
# Shorter lines ending in ":" (":+1:", "Zie hieronder:") are the sender's own words, not an attribution.
_MIN_ATTRIBUTION_CHARS = 20
# Outlook puts a rule of underscores between the reply and the quoted header block.
_TRAILING_RULE_RE = re.compile(r"\n\s*[_-]{10,}\s*$")


@dataclass(frozen=True, slots=True)
class ReplySplit:
    """An email body in three parts: what the sender wrote now, their signature, and the quoted history."""

    new_text: str
    signature: str
    quoted: str


def split_reply(text: str) -> ReplySplit:
    """Return the body split into new text, signature and quoted history.

    Line endings become "\\n". Reading line by line: ">"-quoted lines and the reply header or attribution above
    them ("On ... wrote:", "Op ... schreef ...:", or a short line with a date or address ending in ":") are quoted
    history, and the sender's lines between them (bottom posting, inline answers) stay new text. A reply header
    followed by unquoted history (Outlook's "Van:/From:" block, "-----Original Message-----") ends the new text:
    everything from there on is quoted. The signature starts at a "-- " line or a "Sent from my ..." line. Never
    raises.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    overflow = ""
    if len(text) > MAX_SPLIT_CHARS:
        text, overflow = text[:MAX_SPLIT_CHARS], text[MAX_SPLIT_CHARS:]
    lines = text.split("\n")
    headers = _header_spans(lines)
    own: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        header_end = headers.get(index)
        if header_end is not None:
            following = _next_content_line(lines, header_end)
            if following is not None and not _QUOTED_LINE_RE.match(lines[following]):
                quoted.extend(lines[index:])
                break
            quoted.extend(lines[index:header_end])
            index = header_end
            continue
        if _QUOTED_LINE_RE.match(line):
            quoted.extend(_pop_attribution(own))
            quoted.append(line)
        else:
            own.append(line)
        index += 1
    new_text, signature = _split_signature("\n".join(own))
    return ReplySplit(
        new_text=_tidy(new_text), signature=signature.strip(), quoted=_join("\n".join(quoted), overflow).strip()
    )


@functools.cache
def _header_regex() -> re.Pattern[str]:
    pattern: re.Pattern[str] = EmailMessage(text="", languages=list(REPLY_LANGUAGES)).HEADER_REGEX
    return pattern


def _header_spans(lines: list[str]) -> dict[int, int]:
    """Map the first line of each reply header the library recognises to the line after it."""
    # The library matches on stripped lines; strip ours the same way but keep the line count, so the original
    # lines (with their indentation) can be cut at the same place.
    stripped = "\n".join(line.strip() for line in lines)
    spans: dict[int, int] = {}
    try:
        matches = list(_header_regex().finditer(stripped))
    except Exception:  # third-party regular expressions; a body must never break parsing
        return spans
    for match in matches:
        start = match.start()
        while start < match.end() and stripped[start] == "\n":
            start += 1
        if start >= match.end():
            continue
        first = stripped.count("\n", 0, start)
        last = stripped.count("\n", 0, match.end() - 1)
        spans.setdefault(first, last + 1)
    return spans


def _next_content_line(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def _pop_attribution(own: list[str]) -> list[str]:
    """Take an attribution ("... <a@b.nl> написал:") off the end of the new text and return it; [] when none."""
    end = len(own)
    while end > 0 and not own[end - 1].strip():
        end -= 1
    if end == 0 or not own[end - 1].rstrip().endswith(":"):
        return []
    start = end - 1
    # An attribution may wrap onto a second line; the line above belongs to it only when it looks like one too.
    above = own[start - 1] if start > 0 else ""
    if above.strip() and not above.rstrip().endswith((".", "!", "?")) and _ATTRIBUTION_HINT_RE.search(above):
        start -= 1
    attribution = " ".join(own[start:end])
    if len(attribution.strip()) < _MIN_ATTRIBUTION_CHARS or not _ATTRIBUTION_HINT_RE.search(attribution):
        return []
    taken = own[start:]
    del own[start:]
    return taken


def _split_signature(text: str) -> tuple[str, str]:
    cuts = [m.start() for m in (_SIGNATURE_DELIMITER_RE.search(text), _SENT_FROM_RE.search(text)) if m]
    cuts = [cut for cut in cuts if text[:cut].strip()]
    if not cuts:
        return text, ""
    cut = min(cuts)
    return text[:cut], text[cut:]


def _tidy(text: str) -> str:
    text = _TRAILING_RULE_RE.sub("", text.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n"))).strip()


def _join(first: str, second: str) -> str:
    if not first.strip():
        return second
    if not second.strip():
        return first
    return f"{first}\n{second}"
