"""Bounces by their structure and the words of mail servers, never by the sender's name alone;
list and bulk mail becomes a contact (flagged); automatic replies by RFC 3834 and vacation patterns."""

from __future__ import annotations

import pytest

from contactpunt.channels.email.parsing import MailKind, parse_email


def mail(headers: str, body: str = "Hallo, ik heb een vraag over mijn bestelling.") -> bytes:
    return f"{headers}\nTo: service@winkel.nl\nMessage-ID: <x@y>\n\n{body}\n".encode()


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.nl>
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

This is the mail system at host mx.example.nl.
--b
Content-Type: message/delivery-status

Final-Recipient: rfc822; weg@example.nl
Action: failed
Status: 5.1.1
--b--
"""


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (DSN.encode(), MailKind.BOUNCE),
        # qmail: no report structure, a null sender and its own words
        (
            mail(
                "From: MAILER-DAEMON@mail.example.com\nReturn-Path: <>\nSubject: failure notice",
                "Hi. This is the qmail-send program at mail.example.com.\nI'm afraid I wasn't able to deliver",
            ),
            MailKind.BOUNCE,
        ),
        # Exchange from postmaster, with the original attached
        (
            b"From: Microsoft Outlook <postmaster@corp.example>\nSubject: Undeliverable: Offerte\n"
            b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
            b"Delivery has failed to these recipients or groups:\nweg@corp.example\n"
            b"--b\nContent-Type: message/rfc822\n\nSubject: Offerte\n\nTekst\n--b--\n",
            MailKind.BOUNCE,
        ),
        # Exim
        (mail("From: Mail Delivery System <Mailer-Daemon@host.example>\nX-Failed-Recipients: a@b.nl"), MailKind.BOUNCE),
        # ARF feedback report
        (
            b"From: abuse@isp.example\nSubject: complaint about message\n"
            b'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\n\n--b\n'
            b"Content-Type: message/feedback-report\n\nFeedback-Type: abuse\n--b--\n",
            MailKind.BOUNCE,
        ),
        # a Dutch non-delivery report from a postmaster, words only
        (
            mail(
                "From: Postmaster <postmaster@gemeente.example>\nSubject: Onbestelbaar: uw bericht",
                "Uw bericht kan niet worden bezorgd bij de volgende ontvangers.",
            ),
            MailKind.BOUNCE,
        ),
        # a person writing from postmaster@ is a customer
        (mail("From: Piet <postmaster@bakkerij.example>\nSubject: Vraag over mijn factuur"), MailKind.NORMAL),
        # a customer forwarding a bounce they got is a customer
        (
            mail(
                "From: Anna <anna@example.nl>\nSubject: Fwd: Undeliverable: bestelling",
                "Ik kreeg dit terug, wat moet ik doen?\n\nDelivery has failed to these recipients",
            ),
            MailKind.NORMAL,
        ),
        # list and newsletter mail becomes a contact, flagged
        (mail("From: leden@vereniging.example\nPrecedence: list\nList-Id: <leden.vereniging.example>"), MailKind.BULK),
        (mail("From: nieuws@winkel.example\nPrecedence: bulk"), MailKind.BULK),
        (mail("From: lijst@example.org\nList-Id: Discussie <d.example.org>"), MailKind.BULK),
        # automatic replies
        (mail("From: a@b.nl\nAuto-Submitted: auto-replied\nSubject: Re: vraag"), MailKind.AUTO_REPLY),
        (mail("From: a@b.nl\nPrecedence: bulk\nSubject: Afwezig: tot 3 januari"), MailKind.AUTO_REPLY),
        (
            mail("From: a@b.nl\nX-Auto-Response-Suppress: All\nSubject: Automatisch antwoord: uw vraag"),
            MailKind.AUTO_REPLY,
        ),
        (mail("From: a@b.nl\nPrecedence: junk\nSubject: Out of Office: back Monday"), MailKind.AUTO_REPLY),
    ],
)
def test_the_kind_of_a_mail(raw, kind):
    assert parse_email(raw).kind is kind, parse_email(raw).kind_reason
