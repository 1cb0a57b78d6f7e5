# ruff: noqa: RUF001 (CJK and Dutch text with their own punctuation)
"""Senders and subjects read from what broken mail software writes: a header that lost its fold,
junk before the first header, an address ending in a dot, only a Reply-To, charsets that say less
than they hold and 8-bit text with none, CR-only line ends. The raw message is kept as it came."""

from __future__ import annotations

import base64

import pytest

from contactpunt.channels.email.parsing import parse_email
from contactpunt.channels.email.repair import decode_unknown


def test_a_header_that_lost_its_fold_keeps_the_headers_after_it():
    raw = b"Subject: Vraag over\nmijn bestelling\nFrom: Jan <jan@example.nl>\nTo: s@w.nl\n\nTekst\n"
    parsed = parse_email(raw)
    assert (parsed.subject, parsed.from_address, parsed.text_body) == (
        "Vraag over mijn bestelling",
        "jan@example.nl",
        "Tekst\n",
    )
    assert parsed.raw == raw


def test_junk_before_the_first_header_is_skipped():
    parsed = parse_email(b">>> banner of a broken gateway\nFrom: Jan <jan@example.nl>\nSubject: Hallo\n\nTekst\n")
    assert (parsed.from_address, parsed.subject) == ("jan@example.nl", "Hallo")
    assert any("before the first header" in problem for problem in parsed.problems)


@pytest.mark.parametrize("header", ["From: Jan <jan@example.nl.>", "From: jan@example.nl."])
def test_an_address_ending_in_a_dot_is_read(header):
    assert parse_email(f"{header}\nSubject: Hallo\n\nTekst\n".encode()).from_address == "jan@example.nl"


def test_a_message_with_only_reply_to_has_that_sender():
    parsed = parse_email(b"Reply-To: Jan <jan@example.nl>\nSubject: Hallo\n\nTekst\n")
    assert (parsed.from_address, parsed.from_name) == ("jan@example.nl", "Jan")


def test_cr_only_line_ends_are_line_ends():
    parsed = parse_email(b"From: a@b.nl\rSubject: Hallo\r\rTekst\r")
    assert (parsed.from_address, parsed.subject, parsed.text_body) == ("a@b.nl", "Hallo", "Tekst\n")


def test_gb2312_that_is_really_gbk_is_read_as_gb18030():
    word = base64.b64encode("订单镕".encode("gbk")).decode()  # 镕 is in GBK, not in GB2312
    assert parse_email(f"From: a@b.nl\nSubject: =?gb2312?B?{word}?=\n\nx\n".encode()).subject == "订单镕"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("关于您的订单问题，请尽快回复", "gbk"),
        ("测试订单", "gbk"),
        ("ご注文ありがとうございます", "shift_jis"),
        ("注文について", "shift_jis"),
        ("주문 관련 문의드립니다", "cp949"),
        ("Bestelling geannuleerd, één vraag", "cp1252"),
        ("Größe ändern – bitte", "cp1252"),
        ("Ça coûte combien ?", "cp1252"),
    ],
)
def test_undeclared_8bit_subjects_and_names_are_read_as_what_they_are(text, codec):
    data = text.encode(codec)
    assert decode_unknown(data) == text
    parsed = parse_email(b"From: " + "Zoë".encode(codec, "replace") + b" <z@example.nl>\nSubject: " + data + b"\n\nx\n")
    assert parsed.subject == text
