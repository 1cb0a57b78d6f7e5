"""What mail software gets wrong, put right before the message is parsed and decoded: charsets that
say less than they hold (GB2312 that is really GBK, ISO-8859-1 that is really Windows-1252), text
in 8 bits with no charset at all, junk before the first header, header lines that lost their fold,
and CR-only line ends. The stored raw message is never changed: only what is parsed from it."""

from __future__ import annotations

import re

#: Declared charsets and the superset that mail in them is really written in.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}

_ENCODED_WORD_CHARSET = re.compile(rb"=\?([A-Za-z0-9_\-]+)(\*[A-Za-z\-]+)?\?", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{4,}")


def codec_for(charset: str) -> str:
    """The codec to read text declared in `charset` with (its superset where mail needs one)."""
    name = charset.strip().strip('"').lower()
    return SUPERSETS.get(name, name)


def decode_unknown(data: bytes) -> str:
    """Decode bytes whose charset is unknown or wrong: UTF-8 when valid; CJK (Japanese, Korean, Chinese)
    when the bytes come in runs of double-byte characters that read as such; Windows-1252 otherwise (a
    European accent is a lone high byte between letters)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _HIGH_RUN.search(data):
        for codec, accept in (("cp932", _japanese), ("cp949", _korean), ("gb18030", _chinese)):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if accept(text):
                return text
    return data.decode("cp1252", "replace")


def repair(raw: bytes) -> tuple[bytes, list[str]]:
    """Return the message to parse and what was repaired. Only the header block is touched (and line
    ends everywhere when the message has CR alone)."""
    notes: list[str] = []
    if b"\r" in raw and b"\n" not in raw:
        raw = raw.replace(b"\r", b"\n")
        notes.append("CR-only line ends read as line ends")
    lines = raw.split(b"\n")
    # Junk before the first header (a stray line, a mailer's banner), but not mbox's "From " line.
    first = 0
    while (
        first < len(lines)
        and first < 5
        and not _HEADER_LINE.match(lines[first])
        and not lines[first].startswith(b"From ")
    ):
        if not lines[first].strip(b"\r"):
            break  # a blank line: there is no header block to find
        first += 1
    if 0 < first < len(lines) and _HEADER_LINE.match(lines[first]):
        notes.append(f"{first} line(s) before the first header skipped")
        lines = lines[first:]
    else:
        first = 0
    end = next((i for i, line in enumerate(lines) if not line.strip(b"\r")), len(lines))
    header = lines[:end]
    folded = 0
    for position in range(1, len(header)):
        line = header[position]
        if not line[:1].isspace() and not _HEADER_LINE.match(line) and not line.startswith(b"From "):
            header[position] = b" " + line  # a continuation that lost its leading whitespace
            folded += 1
    if folded:
        notes.append(f"{folded} header line(s) without their fold joined to the header above")
    header = [_ENCODED_WORD_CHARSET.sub(_superset_word, line) for line in header]
    repaired = b"\n".join([*header, *lines[end:]])
    return repaired, notes


def _superset_word(match: re.Match[bytes]) -> bytes:
    charset = match.group(1).decode("ascii").lower()
    better = SUPERSETS.get(charset)
    if better is None or charset in ("us-ascii", "iso-8859-1", "latin1"):
        return match.group(0)  # RFC 2047 words in Latin-1 decode the same; keep them as written
    return b"=?" + better.encode() + (match.group(2) or b"") + b"?"


def _share(text: str, *patterns: re.Pattern[str]) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    return sum(1 for c in non_ascii if any(p.match(c) for p in patterns)) / len(non_ascii) if non_ascii else 0.0


def _japanese(text: str) -> bool:
    """Japanese has kana among its kanji (GBK or Korean bytes read as Shift_JIS hardly ever give kana)."""
    return bool(_KANA.search(text)) and _share(text, _KANA, _HAN) > 0.9


def _korean(text: str) -> bool:
    """Korean mail is Hangul without Hanja; GBK bytes read as CP949 give Hangul mixed with Hanja."""
    return bool(_HANGUL.search(text)) and not _HAN.search(text) and _share(text, _HANGUL) > 0.9


def _chinese(text: str) -> bool:
    return _share(text, _HAN) > 0.9
