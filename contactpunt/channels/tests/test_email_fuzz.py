"""Fuzz parse_email's subject and body with the Big List of Naughty Strings and Hypothesis."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpunt.channels.email.parsing import parse_email
from contactpunt.channels.email.replies import split_reply
from contactpunt.channels.tests.shared_data import SHARED_DATA, require

BLNS_PATH = SHARED_DATA / "blns" / "blns.json"
BLNS: list[str] = json.loads(BLNS_PATH.read_text()) if BLNS_PATH.exists() else []


def _compose(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Jan <jan@example.nl>"
    message["Subject"] = subject
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def _assert_clean(raw: bytes) -> None:
    result = parse_email(raw)
    assert result.raw == raw
    for text in (result.subject, result.text_body, result.new_text, result.quoted_text, result.signature):
        assert "\x00" not in text
        text.encode("utf-8")


def test_blns_is_there():
    require("blns/blns.json")
    assert len(BLNS) > 500


@pytest.mark.parametrize("index", range(len(BLNS)))
def test_blns_subject_and_body(index: int):
    naughty = BLNS[index]
    subject = " ".join(naughty.split())  # header values cannot hold line breaks
    try:
        raw = _compose(subject, naughty)
    except (ValueError, TypeError):  # the stdlib refuses to build some of them; inject them raw instead
        raw = b"From: a@b.nl\r\nSubject: " + subject.encode("utf-8", "replace") + b"\r\n\r\n"
        raw += naughty.encode("utf-8", "surrogatepass")
    result = parse_email(raw)
    _assert_clean(raw)
    if subject and subject.isprintable() and "=?" not in subject:
        # The stdlib's folder puts the space between two encoded words outside them, where RFC 2047 says a reader
        # must ignore it; so only whitespace may differ.
        assert "".join(result.subject.split()) == "".join(subject.split())


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes):
    _assert_clean(raw)


@given(st.text(max_size=300), st.text(max_size=2000))
def test_arbitrary_subject_and_body(subject: str, body: str):
    raw = b"From: a@b.nl\r\nSubject: " + subject.encode("utf-8", "surrogatepass") + b"\r\n\r\n"
    _assert_clean(raw + body.encode("utf-8", "surrogatepass"))


_PIECES = ["> ", ">", "\n", "On ", "wrote:", "Op ", "schreef:", "-- ", "a", "1", ":", "@", "Van: x", "Aan: y"]


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_split_reply_keeps_every_non_blank_line(text: str):
    split = split_reply(text)
    kept = "\n".join((split.new_text, split.signature, split.quoted))
    for line in text.replace("\r", "\n").split("\n"):
        assert line.strip() in kept
