"""What kind of mail a message is: a customer's mail, a bounce, an automatic reply, a loop, or list
and bulk mail (a contact, flagged). Decided by structure first (RFC 3464 delivery reports, ARF
feedback reports, RFC 3834 Auto-Submitted), then by what mail servers write into the failures they
send, never by the sender's local part alone: a person may write from postmaster@.

Pure and never raises (the parts and headers of a malformed message may fail to read)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterator
from email.message import Message
from typing import TypeVar

T = TypeVar("T")

#: Header that Contactpunt puts on every mail it sends; a message that carries it came back to us: a loop.
LOOP_HEADER = "X-Contactpunt-Loop"

#: More Received headers than this means the message is going round in circles (sendmail's default hop limit
#: is 25, postfix's 50).
MAX_HOPS = 30


class MailKind(enum.StrEnum):
    """What kind of mail a message is. Only NORMAL mail may ever get an automatic answer; BULK mail
    (a mailing list, a newsletter) is a contact too, flagged, and never answered automatically."""

    NORMAL = "normal"
    BULK = "bulk"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    LOOP = "loop"


#: Senders that are mail software, never a person.
_DAEMONS = frozenset({"mailer-daemon", "mailerdaemon", "mail-daemon", "maildaemon", "mdaemon", "mailer_daemon"})
#: Senders that are often, not always, mail software: they need a sign of a failure report as well.
_SYSTEM_SENDERS = frozenset({"postmaster", "mail.daemon", "mailer", "daemon", "bounce", "bounces", "noreply"})
_SYSTEM_NAMES = re.compile(r"mail delivery (subsystem|system)|mail administrator|microsoft outlook|postmaster", re.I)

#: The subjects of failure reports, in the words of the mail servers that send them (Exim, Sendmail,
#: Postfix, qmail, Exchange, Domino, Courier, Gmail, GMX, Zoho, Amazon SES...), and their Dutch,
#: German, French and Italian versions.
_FAILURE_SUBJECT = re.compile(
    r"^\s*(?:\[?(?:fwd?|re)\]?:\s*)?(?:"
    r"undeliver(?:able|ed)|undelivered mail|delivery status notification|delivery (?:has )?fail|"
    r"delivery failure|failed delivery|failure delivery|failure notice|returned mail|return(?:ed)? to sender|"
    r"mail delivery (?:failed|failure|system|subsystem)|mail system error|message not delivered|"
    r"could not (?:be )?deliver|delivery notification|non[- ]?delivery|nondeliverable|message delivery failure|"
    r"delivery problem|warning: could not send|mail failure|message frozen|postmaster notify|"
    r"unzustellbar|nicht zustellbar|fehlgeschlagen|non remis|non recapitabile|échec de (?:la )?remise|"
    r"onbestelbaar|niet bezorgd|kan niet worden bezorgd|bezorging mislukt|niet afgeleverd"
    r")",
    re.IGNORECASE,
)

#: What mail servers write at the top of the failures they send.
_MTA_PHRASES = re.compile(
    r"this is the qmail-send program|this message was created automatically by mail delivery software|"
    r"this is the mail system at host|the original message was received at|"
    r"delivery has failed to these recipients|your message did not reach some or all of the intended recipients|"
    r"delivery to the following recipients? failed|i'?m sorry to have to inform you that your message could not|"
    r"could not be delivered to one or more recipients|message could not be delivered|"
    r"a message that you sent could not be delivered|the following addresses had permanent fatal errors|"
    r"this is an automatically generated delivery status notification|unable to deliver (?:your )?message|"
    r"your message was not delivered|was not delivered to|permanent error|550[ -]5\.\d\.\d|5\.\d\.\d{1,3} |"
    r"recipient address rejected|user unknown|mailbox (?:unavailable|full|not found)|no such user|"
    r"diagnostic-code:|final-recipient:|remote-mta:",
    re.IGNORECASE,
)

#: RFC 3834 and the vendors' own markers of an automatic answer.
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response", "X-Vacation")
_VACATION_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|automatisch(?:e)? (?:antwoord|reactie|beantwoording)|"
    r"out of (?:the )?office|afwezig|buiten kantoor|abwesenheit|réponse automatique|absence|vacation|"
    r"risposta automatica|auto:)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})


def classify(
    message: Message, sender: str | None, own_addresses: Collection[str] = (), *, text: str = "", sender_name: str = ""
) -> tuple[MailKind, str]:
    """Return the kind of mail and what decided it. `text` is the message's decoded body text, for the
    phrases of mail servers; `sender_name` the display name of From."""
    content_type = _safe(message.get_content_type, "")
    report_type = _safe(lambda: str(message.get_param("report-type", "") or ""), "").lower()
    subject = _raw_header(message, "Subject")
    local = (sender or "").split("@", 1)[0].lower()
    parts = _part_types(message)

    if content_type == "multipart/report" and report_type == "delivery-status":
        return MailKind.BOUNCE, "multipart/report; report-type=delivery-status"
    if content_type == "multipart/report" and report_type == "feedback-report":
        return MailKind.BOUNCE, "ARF feedback report"
    if "message/delivery-status" in parts:
        return MailKind.BOUNCE, "a message/delivery-status part"
    if "message/feedback-report" in parts:
        return MailKind.BOUNCE, "a message/feedback-report part"
    if _raw_header(message, "X-Failed-Recipients"):
        return MailKind.BOUNCE, "X-Failed-Recipients"
    null_return = _raw_header(message, "Return-Path").strip("<> \t") == "" and bool(_raw_header(message, "Return-Path"))
    failure_subject = bool(_FAILURE_SUBJECT.search(subject))
    original_attached = bool(parts & {"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"})
    mta_text = bool(_MTA_PHRASES.search(text[:6000]))
    if local in _DAEMONS:
        return MailKind.BOUNCE, f"sent by {local}"
    systemish = local in _SYSTEM_SENDERS or bool(_SYSTEM_NAMES.search(sender_name)) or null_return
    if systemish and (failure_subject or (original_attached and mta_text) or (mta_text and null_return)):
        return MailKind.BOUNCE, "a delivery failure from mail software" + (f" ({local})" if local else "")
    if failure_subject and original_attached and mta_text:
        return MailKind.BOUNCE, "a delivery failure report"

    own = {address.lower() for address in own_addresses}
    if _raw_header(message, LOOP_HEADER):
        return MailKind.LOOP, LOOP_HEADER
    if sender and sender.lower() in own:
        return MailKind.LOOP, "sent from one of our own addresses"
    no_hops: list[object] = []
    hops = len(_safe(lambda: list(message.get_all("Received") or no_hops), no_hops))
    if hops > MAX_HOPS:
        return MailKind.LOOP, f"{hops} Received headers"

    auto_submitted = _raw_header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return MailKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"
    for name in _AUTO_HEADERS:
        if _raw_header(message, name):
            return MailKind.AUTO_REPLY, name
    precedence = _raw_header(message, "Precedence").lower()
    if precedence == "auto_reply":
        return MailKind.AUTO_REPLY, "Precedence: auto_reply"
    if _raw_header(message, "X-Auto-Response-Suppress") and _VACATION_SUBJECT.search(subject):
        return MailKind.AUTO_REPLY, "an Exchange automatic reply"
    if _VACATION_SUBJECT.search(subject) and (precedence in _BULK_PRECEDENCE or null_return):
        return MailKind.AUTO_REPLY, f"a vacation reply ({subject[:40]})"
    if content_type == "multipart/report":
        return MailKind.AUTO_REPLY, f"multipart/report; report-type={report_type or 'unknown'}"
    if null_return:  # RFC 5321: only notifications travel with a null reverse path
        return MailKind.AUTO_REPLY, "empty Return-Path"
    if precedence in _BULK_PRECEDENCE:
        return MailKind.BULK, f"Precedence: {precedence}"
    if _raw_header(message, "List-Id"):
        return MailKind.BULK, "List-Id"
    return MailKind.NORMAL, ""


def _part_types(message: Message) -> set[str]:
    return {_safe(part.get_content_type, "") for part in _walk(message)}


def _walk(message: Message) -> Iterator[Message]:
    return iter(_safe(lambda: list(message.walk()), [message]))


def _safe(function: Callable[[], T], default: T) -> T:
    try:
        return function()
    except Exception:
        return default


def _raw_header(message: Message, name: str) -> str:
    """The header's value on one line, stripped; "" when absent or unreadable."""
    value = _safe(lambda: message.get(name), None)
    if value is None:
        return ""
    text = _safe(lambda: str(value), "")
    return text.replace("\x00", "").replace("\r", "").replace("\n", "").strip()
