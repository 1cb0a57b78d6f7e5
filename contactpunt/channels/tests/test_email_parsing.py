"""Targeted tests of parse_email on messages written here."""

from __future__ import annotations

from datetime import UTC, datetime

from contactpunt.channels.email.parsing import (
    CASE_TOKEN_RE,
    LOOP_HEADER,
    Address,
    MailKind,
    find_case_number,
    html_to_text,
    parse_email,
    sanitise_filename,
)


def _mail(headers: str, body: str = "Hallo\n") -> bytes:
    return (headers.strip() + "\n\n" + body).replace("\n", "\r\n").encode("utf-8")


BASE = """
From: =?utf-8?q?Jan_de_Vries?= <jan@example.nl>
To: Klantenservice <service@contactpunt.test>, "Doe, John" <john@example.com>
Cc: piet@example.nl
Reply-To: antwoord@example.nl
Subject: =?iso-8859-1?q?Re:_Bestelling_[CP-1234]_=E9n_meer?=
Date: Tue, 03 Jan 2023 10:15:00 +0100
Message-ID: <abc.123@mail.example.nl>
In-Reply-To: <out-7@contactpunt.test>
References: <first@contactpunt.test>
 <out-7@contactpunt.test>
"""


def test_headers_threading_and_case_token():
    result = parse_email(_mail(BASE))
    assert result.subject == "Re: Bestelling [CP-1234] én meer"
    assert result.case_number == 1234
    assert result.case_token == "CP-1234"
    assert (result.from_address, result.from_name) == ("jan@example.nl", "Jan de Vries")
    assert result.to == (
        Address("service@contactpunt.test", "Klantenservice"),
        Address("john@example.com", "Doe, John"),
    )
    assert result.cc == (Address("piet@example.nl"),)
    assert result.reply_to == (Address("antwoord@example.nl"),)
    assert result.date == datetime(2023, 1, 3, 9, 15, tzinfo=UTC)
    assert result.message_id == "abc.123@mail.example.nl"
    assert result.in_reply_to == "out-7@contactpunt.test"
    assert result.references == ("first@contactpunt.test", "out-7@contactpunt.test")
    assert result.thread_ids == ("out-7@contactpunt.test", "first@contactpunt.test")
    assert result.kind is MailKind.NORMAL
    assert result.problems == ()


def test_case_token_regex():
    assert CASE_TOKEN_RE.pattern == r"\[CP-(\d{1,18})\]"
    assert find_case_number("Re: [CP-42] vraag [CP-43]") == 42
    assert find_case_number("CP-42 zonder haken") is None
    assert find_case_number("[cp-7]") == 7


def test_date_without_zone_is_utc():
    result = parse_email(_mail("From: a@b.nl\nDate: Tue, 03 Jan 2023 10:15:00 -0000"))
    assert result.date == datetime(2023, 1, 3, 10, 15, tzinfo=UTC)


def test_dutch_reply_is_split_from_quote():
    body = (
        "Dat klopt, dank u.\n\nMet vriendelijke groet,\nJan\n\n"
        "Op di 3 jan. 2023 om 10:00 schreef Klantenservice <service@contactpunt.test>:\n\n"
        "> Is uw adres nog juist?\n"
    )
    result = parse_email(_mail(BASE, body))
    assert result.new_text == "Dat klopt, dank u.\n\nMet vriendelijke groet,\nJan"
    assert result.quoted_text == (
        "Op di 3 jan. 2023 om 10:00 schreef Klantenservice <service@contactpunt.test>:\n\n> Is uw adres nog juist?"
    )


def test_html_only_mail_becomes_safe_text_and_keeps_the_original():
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hallo &amp; welkom</p>"
        "<script>alert(1)</script><div>Regel&nbsp;2<br>Regel 3</div></body></html>"
    )
    raw = _mail("From: a@b.nl\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8", html)
    result = parse_email(raw)
    assert result.html_body is not None and "<script>" in result.html_body
    assert result.html_text == "Hallo & welkom\nRegel 2\nRegel 3"
    assert result.text_body == result.html_text


def test_html_to_text_drops_markup_and_never_returns_tags():
    assert html_to_text('<a href="javascript:x">klik</a><img src=x onerror=alert(1)>') == "klik"
    assert html_to_text("&lt;script&gt;") == "<script>"  # text, escaped again wherever it is shown


MULTIPART = """From: a@b.nl
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: multipart/alternative; boundary="YY"

--YY
Content-Type: text/plain; charset=utf-8

Zie bijlage.
--YY
Content-Type: text/html; charset=utf-8

<p>Zie <b>bijlage</b>.</p>
--YY--
--XX
Content-Type: image/png
Content-ID: <logo@x>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw0K
--XX
Content-Type: application/pdf; name="../../etc/passwd.pdf"
Content-Disposition: attachment; filename*=utf-8''factuur%20%E2%82%AC%2012.pdf
Content-Transfer-Encoding: base64

JVBERi0=
--XX
Content-Type: message/rfc822

From: x@y.nl
Subject: doorgestuurd

binnen
--XX--
"""


def test_attachments_inline_filenames_and_forwarded_message():
    result = parse_email(MULTIPART.replace("\n", "\r\n").encode())
    assert result.text_body == "Zie bijlage."
    assert result.html_text == "Zie bijlage."
    names = [(a.filename, a.content_type, a.content_id, a.is_inline) for a in result.attachments]
    assert names == [
        ("logo.png", "image/png", "logo@x", True),
        ("factuur € 12.pdf", "application/pdf", None, False),
        ("attachment-3.eml", "message/rfc822", None, False),
    ]
    assert result.attachments[0].content == b"\x89PNG\r\n"
    assert result.attachments[1].content == b"%PDF-"
    assert b"Subject: doorgestuurd" in result.attachments[2].content


def test_sanitise_filename():
    assert sanitise_filename("../../etc/passwd") == "passwd"
    assert sanitise_filename("C:\\Users\\x\\a<b>.txt") == "a_b_.txt"
    assert sanitise_filename("..\x00") == "attachment-1.bin"
    assert sanitise_filename(None, content_type="application/pdf", index=4) == "attachment-4.pdf"
    assert sanitise_filename("CON.txt") == "_CON.txt"
    long_name = sanitise_filename("é" * 300 + ".pdf")
    assert long_name.endswith(".pdf") and len(long_name.encode("utf-8")) <= 200


def test_auto_reply_headers():
    cases = {
        "Auto-Submitted: auto-replied": "Auto-Submitted: auto-replied",
        "Precedence: auto_reply": "Precedence: auto_reply",
        "X-Autoreply: yes": "X-Autoreply",
        "X-Autorespond: vacation": "X-Autorespond",
        "Return-Path: <>": "empty Return-Path",
    }
    for header, reason in cases.items():
        result = parse_email(_mail(f"From: a@b.nl\n{header}"))
        assert (result.kind, result.kind_reason) == (MailKind.AUTO_REPLY, reason), header
    assert parse_email(_mail("From: a@b.nl\nAuto-Submitted: no")).kind is MailKind.NORMAL


def test_bounce_and_loop_detection():
    assert parse_email(_mail("From: MAILER-DAEMON@mx.example.nl")).kind is MailKind.BOUNCE
    assert parse_email(_mail("From: Mail Delivery <postmaster@example.nl>\nSubject: Undeliverable: offerte")).kind is (
        MailKind.BOUNCE
    )
    assert parse_email(_mail(f"From: a@b.nl\n{LOOP_HEADER}: 17")).kind is MailKind.LOOP
    own = parse_email(_mail("From: Service@Contactpunt.test"), own_addresses={"service@contactpunt.test"})
    assert (own.kind, own.kind_reason) == (MailKind.LOOP, "sent from one of our own addresses")
    hops = "\n".join(f"Received: from h{i} by h{i + 1}" for i in range(31))
    assert parse_email(_mail(f"From: a@b.nl\n{hops}")).kind is MailKind.LOOP


def test_unknown_charset_and_wrong_charset_are_problems():
    raw = b"From: a@b.nl\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\ncaf\xc3\xa9\r\n"
    result = parse_email(raw)
    assert result.text_body == "café\n"
    assert "unknown charset 'x-unknown'" in result.problems
    latin = parse_email(b"From: a@b.nl\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\xe9\r\n")
    assert latin.text_body == "café\n"
    assert "body is not valid utf-8" in latin.problems


def test_inputs_that_are_not_mail_never_raise():
    assert parse_email(b"").problems == ("empty message",)
    assert parse_email(b"\x00\xff" * 10).raw == b"\x00\xff" * 10
    assert parse_email(b"text").problems == ("MissingHeaderBodySeparatorDefect", "no headers found", "no From address")
    assert parse_email("not bytes").problems == ("input is str, not bytes",)
    nested = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
    nested += b"--a\r\nContent-Type: message/rfc822\r\n\r\n" * 1000
    assert parse_email(nested).raw == nested
