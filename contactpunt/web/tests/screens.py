"""What a person reads on a rendered page: the text outside tags, scripts and styles (attributes left out)."""

from __future__ import annotations

import html
import re


def visible_text(page: str) -> str:
    """The page's text as a reader sees it, whitespace collapsed."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()
