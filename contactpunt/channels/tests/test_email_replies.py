"""split_reply against the talon and github/email_reply_parser fixtures and Dutch clients."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest

from contactpunt.channels.email.replies import MAX_SPLIT_CHARS, split_reply
from contactpunt.channels.tests.shared_data import SHARED_DATA, require

TALON = SHARED_DATA / "mail" / "talon" / "tests" / "fixtures" / "standard_replies"
GITHUB = SHARED_DATA / "mail" / "github-email_reply_parser" / "test" / "emails"
TALON_CLIENTS = ["android", "aol", "apple_mail", "apple_mail_2", "comcast", "gmail", "hotmail", "iphone", "outlook",
                 "sparrow", "thunderbird", "yahoo"]  # fmt: skip


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


@pytest.mark.parametrize("client", TALON_CLIENTS)
def test_talon_standard_replies(client: str):
    """talon's own test: the reply (with its signature) is the *_reply_text file, or "Hello" when there is none."""
    path = require("mail/talon/tests/fixtures/standard_replies") / f"{client}.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    split = split_reply(body.get_content())
    expected_file = TALON / f"{client}_reply_text"
    expected = expected_file.read_text() if expected_file.exists() else "Hello"
    reply = split.new_text + (f"\n\n{split.signature}" if split.signature else "")
    assert _lines(reply) == _lines(expected)
    assert split.quoted


# Expected values from github/email_reply_parser's test/email_reply_parser_test.rb (visible text of each fixture).
GITHUB_EXPECTED = {
    "email_1_2.txt": ("Hi,\n\nYou can list the keys for the bucket", ""),
    "email_1_4.txt": ("Awesome! I haven't had another problem with it.", ""),
    "email_1_7.txt": (":+1:", ""),
    "email_1_8.txt": ("I will reply under this one\n\nand under this.", "--\nHey there, this is my signature"),
    "email_2_1.txt": ("Outlook with a reply", ""),
    "email_2_2.txt": ("Outlook with a reply directly above line", ""),
    "email_BlackBerry.txt": ("Here is another email", "Sent from my BlackBerry"),
    "email_iPhone.txt": ("Here is another email", "Sent from my iPhone"),
    "email_multi_word_sent_from_my_mobile_device.txt": (
        "Here is another email",
        "Sent from my Verizon Wireless BlackBerry",
    ),
    "email_sent_from_my_not_signature.txt": (
        "Here is another email\n\nSent from my desk, is much easier then my mobile phone.",
        "",
    ),
    "correct_sig.txt": ("this is an email with a correct -- signature.", "-- \nrick"),
    "email_sig_delimiter_in_middle_of_line.txt": (
        "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai",
        "",
    ),
    "pathological.txt": (
        "I think you're onto something. I will try to fix the problem as soon as I\nget back to a computer.",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(GITHUB_EXPECTED))
def test_github_fixtures(name: str):
    text = (require("mail/github-email_reply_parser/test/emails") / name).read_text(errors="replace")
    new_text, signature = GITHUB_EXPECTED[name]
    split = split_reply(text)
    assert split.new_text.startswith(new_text)
    assert split.signature == signature


def test_dutch_outlook_header_ends_the_new_text():
    text = (
        "Graag een nieuwe factuur.\n\nVerstuurd vanaf mijn iPhone\n\n"
        "Van: Klantenservice <service@contactpunt.test>\nVerzonden: dinsdag 3 januari 2023 10:00\n"
        "Aan: Jan <jan@example.nl>\nOnderwerp: Uw factuur\n\nBeste Jan,\n"
    )
    split = split_reply(text)
    assert split.new_text == "Graag een nieuwe factuur."
    assert split.signature == "Verstuurd vanaf mijn iPhone"
    assert split.quoted.startswith("Van: Klantenservice") and split.quoted.endswith("Beste Jan,")


def test_dutch_gmail_attribution_over_two_lines():
    text = "Prima!\n\nOp di 3 jan. 2023 om 10:00 schreef Klantenservice <\nservice@contactpunt.test>:\n\n> Vraag\n"
    split = split_reply(text)
    assert (split.new_text, split.signature) == ("Prima!", "")
    assert split.quoted == "Op di 3 jan. 2023 om 10:00 schreef Klantenservice <\nservice@contactpunt.test>:\n\n> Vraag"


def test_inline_answers_keep_the_new_lines():
    text = "Op 3-1-2023 schreef Piet <p@x.nl>:\n> Vraag 1?\nAntwoord 1\n> Vraag 2?\nAntwoord 2\n"
    split = split_reply(text)
    assert split.new_text == "Antwoord 1\nAntwoord 2"
    assert split.quoted == "Op 3-1-2023 schreef Piet <p@x.nl>:\n> Vraag 1?\n> Vraag 2?"


def test_no_quote_no_signature():
    assert split_reply("Alleen tekst.\r\nTwee regels.") == split_reply("Alleen tekst.\nTwee regels.")
    split = split_reply("Alleen tekst.\r\nTwee regels.")
    assert (split.new_text, split.signature, split.quoted) == ("Alleen tekst.\nTwee regels.", "", "")


def test_long_body_keeps_the_overflow_as_quoted():
    text = "a\n" * MAX_SPLIT_CHARS
    split = split_reply(text)
    assert split.new_text.count("a") + split.quoted.count("a") == MAX_SPLIT_CHARS
