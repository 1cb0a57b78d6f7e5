"""Cleaning what visitors type: any string gives clean text or a named refusal, never a crash or a cut."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpunt.channels.webchat.text import MAX_CHAT_TEXT, TextRejected, clean_text

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@given(st.text(max_size=3_000))
def test_any_text_is_cleaned_or_refused_with_a_code(value: str) -> None:
    try:
        text = clean_text(value)
    except TextRejected as error:
        assert error.code in {"empty", "too_long"}
        return
    assert text and text == text.strip()
    assert not CONTROL.search(text)
    assert len(text) <= MAX_CHAT_TEXT
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # kept as text; pages escape it
        ("a\r\nb\rc", "a\nb\nc"),
        ("\x00\x07hallo\x1b[31m", "hallo[31m"),
        ("  e\u0301  ", "\u00e9"),
        ("👩‍👩‍👧 gezin", "👩‍👩‍👧 gezin"),  # zero-width joiners in emoji stay
    ],
)
def test_examples(value: str, expected: str) -> None:
    assert clean_text(value) == expected


def test_single_line_fields_lose_their_line_breaks() -> None:
    assert clean_text("Sanne\n de\tVries", single_line=True) == "Sanne de Vries"


@pytest.mark.parametrize(("value", "code"), [(None, "bad_type"), (5, "bad_type"), ("\x00 \n", "empty")])
def test_refusals_are_named(value: object, code: str) -> None:
    with pytest.raises(TextRejected) as raised:
        clean_text(value)
    assert raised.value.code == code


def test_too_long_is_refused_not_cut() -> None:
    with pytest.raises(TextRejected) as raised:
        clean_text("x" * (MAX_CHAT_TEXT + 1))
    assert raised.value.code == "too_long"
