"""Every real and malformed mail in ../shared/data/mail parses without raising and keeps its raw bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactpunt.channels.email.parsing import MailKind, ParsedEmail, parse_email
from contactpunt.channels.tests.shared_data import SHARED_DATA, require

MAIL = SHARED_DATA / "mail"
ALL_FILES = sorted(p for p in MAIL.rglob("*") if p.is_file() and p.name != ".gitattributes") if MAIL.exists() else []


def _parse(relative: str) -> ParsedEmail:
    return parse_email((require("mail") / relative).read_bytes())


def test_the_corpus_is_there():
    require("mail")
    assert len(ALL_FILES) >= 240


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(MAIL)))
def test_every_mail_parses_and_keeps_its_raw_bytes(path: Path):
    raw = path.read_bytes()
    result = parse_email(raw)
    assert isinstance(result, ParsedEmail)
    assert result.raw == raw
    for text in (result.subject, result.text_body, result.new_text, result.quoted_text, result.html_text):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: storable as it is
    for attachment in result.attachments:
        assert attachment.filename
        assert "/" not in attachment.filename and "\\" not in attachment.filename


@pytest.mark.parametrize(
    "relative",
    [
        "cpython/msg_16.txt",
        "cpython/msg_25.txt",
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/multi_address_bounce1.eml",
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/multi_address_bounce2.eml",
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/multipart_report_multiple_status.eml",
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/report_422.eml",
        "mikel-mail/spec/fixtures/emails/multipart_report_emails/report_530.eml",
        "spamscope-mail-parser/tests/mails/mail_malformed_2",
    ],
)
def test_bounce_fixtures_are_bounces(relative: str):
    assert _parse(relative).kind is MailKind.BOUNCE


def test_bounce_reason_names_the_report():
    result = _parse("mikel-mail/spec/fixtures/emails/multipart_report_emails/report_530.eml")
    assert result.kind_reason == "multipart/report; report-type=delivery-status"


def test_outlook_msg_binary_is_kept_with_a_problem():
    result = _parse("spamscope-mail-parser/tests/mails/mail_outlook_1")
    assert result.problems == ("an Outlook .msg file (OLE compound document), not an RFC 822 message",)
    assert result.raw.startswith(b"\xd0\xcf\x11\xe0")
    assert result.message_id is None


def test_iso_2022_jp_subject_and_body():
    result = _parse("mikel-mail/spec/fixtures/emails/multi_charset/japanese_iso_2022.eml")
    assert result.subject == "まみむめも"
    assert result.from_name == "Mikel Lindsaar"
    assert result.from_address == "raasdnil@gmail.com"
    assert result.text_body.strip() == "すみません。"


def test_shift_jis_body():
    result = _parse("mikel-mail/spec/fixtures/emails/multi_charset/japanese_shift_jis.eml")
    assert result.text_body.startswith("あいうえお\n\nこのメールはテスト用のメールです。")
    assert result.problems == ()


def test_rfc2231_continued_filename():
    result = _parse("mikel-mail/spec/fixtures/emails/multi_charset/japanese_attachment_long_name.eml")
    assert [(a.filename, a.content_type) for a in result.attachments] == [
        ("かきくけこかきくけこかきくけこかきくけこかきくけこ.txt", "text/plain")
    ]


def test_rfc2231_latin1_filename():
    result = _parse("mikel-mail/spec/fixtures/emails/attachment_emails/attachment_with_quoted_filename.eml")
    assert [a.filename for a in result.attachments] == ["Eelanalüüsi päring.jpg"]


def test_utf8_headers_rfc6532():
    result = _parse("mikel-mail/spec/fixtures/emails/rfc6532/utf8_headers.eml")
    assert result.subject == "Säying Hello"
    assert (result.from_name, result.from_address) == ("Jöhn Doe", "jdöe@mächine.example")


def test_threading_headers_from_a_real_reply():
    result = _parse("mikel-mail/spec/fixtures/emails/attachment_emails/attachment_with_encoded_name.eml")
    assert result.message_id == "e85734b90505081209eaaa17b@mail.gmail.com"
    assert result.in_reply_to == "F6E2D0B4-CC35-4A91-BA4C-C7C712B10C13@mac.com"
    assert result.references == ("F6E2D0B4-CC35-4A91-BA4C-C7C712B10C13@mac.com",)


def test_unreadable_date_is_a_problem_not_a_crash():
    result = _parse("mikel-mail/spec/fixtures/emails/error_emails/bad_date_header2.eml")
    assert result.date is None
    assert "unreadable Date: Wed, 15 Dec 2010    59:10 -0500" in result.problems
