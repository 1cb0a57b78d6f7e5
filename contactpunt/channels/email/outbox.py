"""The email outbox: queue a reply on a case, and the sender that delivers it over SMTP (stdlib smtplib).

A reply carries the threading headers of the case's latest inbound mail (In-Reply-To, References), the case token
in its subject, and an `X-Contactpunt-Loop` header, so that a copy coming back to one of our mailboxes is
recognised as a loop and never answered. The worker's drain loop (`contactpunt.channels.senders.send_due`, also
importable from here) claims the rows and retries failures; `send_email` is the registered EMAIL/WEBFORM sender.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.utils import timezone

from contactpunt.channels.email.parsing import LOOP_HEADER, ParsedEmail, find_case_number, parse_email
from contactpunt.channels.models import Mailbox, OutboundMessage
from contactpunt.channels.senders import SendError, SendResult, send_due
from contactpunt.contacts.models import Case, Channel, Direction, Message

logger = logging.getLogger(__name__)

__all__ = ["SendResult", "build_message", "queue_email_notice", "queue_email_reply", "send_due", "send_email"]

SMTP_TIMEOUT_S = 30.0
_MAX_REFERENCES = 20


def queue_email_reply(
    *,
    case: Case,
    body: str,
    to: str | None = None,
    subject: str | None = None,
    mailbox: Mailbox | None = None,
) -> OutboundMessage:
    """Queue a reply to the case's latest inbound email and return the outbox row.

    `to` defaults to the Reply-To or From of that mail, `subject` to "Re: <its subject>", `mailbox` to the mailbox
    of the case's queue. The case token is added to the subject when it is not there. Raises ValueError when no
    recipient can be found.
    """
    latest = (
        Message.objects.filter(
            case=case, direction=Direction.INBOUND, contact__channel=Channel.EMAIL, raw__isnull=False
        )
        .order_by("-created_at", "-id")
        .first()
    )
    parsed: ParsedEmail | None = parse_email(bytes(latest.raw)) if latest is not None and latest.raw else None
    if to is None and parsed is not None:
        reply_to = [a.address for a in parsed.reply_to if a.address]
        to = reply_to[0] if reply_to else parsed.from_address
    if not to:
        raise ValueError("no recipient: give `to`, or reply on a case with an inbound email")
    if subject is None:
        original = parsed.subject if parsed is not None else case.subject
        subject = original if original.lower().startswith("re:") else f"Re: {original}".strip()
    if find_case_number(subject) != case.pk:
        subject = f"{subject} {case.token}".strip()
    if mailbox is None:
        mailbox = Mailbox.objects.filter(queue_id=case.queue_id, is_active=True).order_by("pk").first()
    in_reply_to = ""
    references: list[str] = []
    if parsed is not None and parsed.message_id:
        in_reply_to = parsed.message_id
        references = [*parsed.references, parsed.message_id][-_MAX_REFERENCES:]
    domain = mailbox.address.rpartition("@")[2] if mailbox is not None else "contactpunt.invalid"
    return OutboundMessage.objects.create(
        case=case,
        contact=latest.contact if latest is not None else None,
        mailbox=mailbox,
        channel=Channel.EMAIL,
        to=to[:320],
        subject=subject[:500],
        body=body,
        in_reply_to=in_reply_to[:500],
        references=" ".join(f"<{r}>" for r in references),
        message_id=make_msgid(idstring=f"cp{case.pk}", domain=domain).strip("<>"),
    )


def queue_email_notice(*, customer_id: int | None, to: str, subject: str, body: str) -> OutboundMessage:
    """Queue an e-mail about no case (a journey moment's message) to `to`, from the first active mailbox, and return
    the outbox row; it names the customer (their export and erasure find it) and carries no case token."""
    mailbox = Mailbox.objects.filter(is_active=True).order_by("pk").first()
    domain = mailbox.address.rpartition("@")[2] if mailbox is not None else "contactpunt.invalid"
    return OutboundMessage.objects.create(
        customer_id=customer_id,
        mailbox=mailbox,
        channel=Channel.EMAIL,
        to=to[:320],
        subject=subject[:500],
        body=body,
        message_id=make_msgid(idstring=f"cpm{customer_id or 0}", domain=domain).strip("<>"),
    )


def build_message(outbound: OutboundMessage, *, sender: Mailbox, now: dt.datetime | None = None) -> EmailMessage:
    """Return the MIME message for an outbox row, with its threading and loop headers."""
    message = EmailMessage()
    message["From"] = formataddr((sender.name, sender.address))
    message["To"] = outbound.to
    message["Subject"] = outbound.subject
    message["Date"] = format_datetime(now or timezone.now())
    message["Message-ID"] = f"<{outbound.message_id}>"
    if outbound.in_reply_to:
        message["In-Reply-To"] = f"<{outbound.in_reply_to}>"
    if outbound.references:
        message["References"] = outbound.references
    message["Auto-Submitted"] = "no"
    message[LOOP_HEADER] = sender.address
    message.set_content(outbound.body)
    return message


def send_email(outbound: OutboundMessage) -> None:
    """The sender of EMAIL and WEBFORM replies: deliver the row over its mailbox's SMTP server.

    Raises SendError: permanent when there is no mailbox with an SMTP server, else retryable."""
    mailbox = outbound.mailbox
    if mailbox is None or not mailbox.smtp_host:
        raise SendError("ValueError: no mailbox with an SMTP server to send from", permanent=True)
    try:
        _deliver(mailbox, build_message(outbound, sender=mailbox))
    except (OSError, smtplib.SMTPException) as error:
        raise SendError(f"{type(error).__name__}: {error}") from error


def _deliver(mailbox: Mailbox, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if mailbox.smtp_ssl:
        client = smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        client = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=SMTP_TIMEOUT_S)
    with client:
        if mailbox.smtp_starttls and not mailbox.smtp_ssl:
            client.starttls(context=context)
        if mailbox.smtp_user:
            client.login(mailbox.smtp_user, mailbox.smtp_password)
        client.send_message(message, from_addr=mailbox.address, to_addrs=[message["To"]])
